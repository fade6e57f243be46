"""``UserStore`` in memory."""

from __future__ import annotations

import dataclasses
from typing import Any

from gatepass.errors import NotFoundError, UserExistsError
from gatepass.store.memory.state import MemoryPart, MemoryState
from gatepass.store.records import User, email_lookup_key, new_id, normalise_email
from gatepass.store.validation import page

__all__ = ["MemoryUserStore"]


class MemoryUserStore(MemoryPart):
    async def create_user(
        self,
        email: str,
        password_hash: str,
        *,
        now: float,
        role: str = "user",
        email_verified: bool = False,
    ) -> User:
        email = normalise_email(email)
        async with self.state.lock:
            if email in self.state.emails:
                raise UserExistsError()
            user = User(new_id(), email, password_hash, role, False, now, email_verified)
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
        email: str | None = None,
        email_verified: bool | None = None,
    ) -> User:
        if email is not None:
            email = normalise_email(email)
        async with self.state.lock:
            user = self.state.users.get(user_id)
            if user is None:
                raise NotFoundError("No such user")
            if email is not None and self.state.emails.get(email, user_id) != user_id:
                raise UserExistsError()
            changes: dict[str, Any] = {
                "password_hash": password_hash,
                "role": role,
                "disabled": disabled,
                "email": email,
                "email_verified": email_verified,
            }
            user = dataclasses.replace(user, **{k: v for k, v in changes.items() if v is not None})
            _forget_email(self.state, user_id)
            self.state.emails[email_lookup_key(user.email)] = user_id
            self.state.users[user_id] = user
            return user

    async def delete_user(self, user_id: str, *, now: float) -> bool:
        async with self.state.lock:
            user = self.state.users.pop(user_id, None)
            if user is None:
                return False
            _forget_email(self.state, user_id)
            _erase_belongings(self.state, user)
            return True

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        limit, offset = page(limit, offset)
        users = sorted(self.state.users.values(), key=lambda u: (u.created_at, u.id))
        return users[offset : offset + limit]


def _forget_email(state: MemoryState, user_id: str) -> None:
    for key in [k for k, owner in state.emails.items() if owner == user_id]:
        del state.emails[key]


def _erase_belongings(state: MemoryState, user: User) -> None:
    """What ``delete_user`` takes with the user (see ``UserStore.delete_user``)."""
    sessions = {s.id for s in state.sessions.values() if s.user_id == user.id}
    for session_id in sessions:
        del state.sessions[session_id]
    for token_hash in [h for h, t in state.tokens.items() if t.session_id in sessions]:
        del state.token_hashes[state.tokens.pop(token_hash).id]
    for token_hash in [h for h, t in state.account_tokens.items() if t.user_id == user.id]:
        del state.account_tokens[token_hash]
    state.totp.pop(user.id, None)
    state.recovery_codes.pop(user.id, None)
    for identity_id in [i.id for i in state.identities.values() if i.user_id == user.id]:
        del state.identities[identity_id]
    for key in [k for k, p in state.passkeys.items() if p.user_id == user.id]:
        del state.passkeys[key]
    for key in [k for k, c in state.passkey_challenges.items() if c.user_id == user.id]:
        del state.passkey_challenges[key]
    for entry_id in [
        e.id
        for e in state.outbox.values()
        if e.recipient == user.email and e.status in ("sent", "failed")
    ]:
        del state.outbox[entry_id]
    state.audit = [
        dataclasses.replace(e, ip=None, user_agent=None, detail={})
        if e.user_id == user.id or e.session_id in sessions
        else e
        for e in state.audit
    ]
