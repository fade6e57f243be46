"""``UserStore`` in memory."""

from __future__ import annotations

import dataclasses
from typing import Any

from gatepass.errors import NotFoundError, UserExistsError
from gatepass.store.memory.state import MemoryPart
from gatepass.store.records import User, email_lookup_key, new_id, normalise_email
from gatepass.store.validation import page

__all__ = ["MemoryUserStore"]


class MemoryUserStore(MemoryPart):
    async def create_user(
        self, email: str, password_hash: str, *, now: float, role: str = "user"
    ) -> User:
        email = normalise_email(email)
        async with self.state.lock:
            if email in self.state.emails:
                raise UserExistsError()
            user = User(new_id(), email, password_hash, role, False, now)
            self.state.users[user.id] = user
            self.state.emails[email] = user.id
            return user

    async def get_user(self, user_id: str) -> User | None:
        return self.state.users.get(user_id)

    async def get_user_by_email(self, email: str) -> User | None:
        user_id = self.state.emails.get(email_lookup_key(email))
        return None if user_id is None else self.state.users.get(user_id)

    async def update_user(
        self,
        user_id: str,
        *,
        password_hash: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
    ) -> User:
        async with self.state.lock:
            user = self.state.users.get(user_id)
            if user is None:
                raise NotFoundError("No such user")
            changes: dict[str, Any] = {
                "password_hash": password_hash,
                "role": role,
                "disabled": disabled,
            }
            user = dataclasses.replace(user, **{k: v for k, v in changes.items() if v is not None})
            self.state.users[user_id] = user
            return user

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        limit, offset = page(limit, offset)
        users = sorted(self.state.users.values(), key=lambda u: (u.created_at, u.id))
        return users[offset : offset + limit]
