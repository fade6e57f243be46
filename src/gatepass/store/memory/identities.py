"""``IdentityStore`` in memory."""

from __future__ import annotations

import dataclasses

from gatepass.errors import IdentityExistsError, NotFoundError
from gatepass.store.identities import Identity
from gatepass.store.memory.state import MemoryPart
from gatepass.store.records import new_id

__all__ = ["MemoryIdentityStore"]


class MemoryIdentityStore(MemoryPart):
    async def add_identity(
        self, user_id: str, provider: str, subject: str, *, email: str | None, now: float
    ) -> Identity:
        async with self.state.lock:
            if user_id not in self.state.users:
                raise NotFoundError("No such user")
            if any(
                i.provider == provider and i.subject == subject
                for i in self.state.identities.values()
            ):
                raise IdentityExistsError()
            identity = Identity(new_id(), provider, subject, user_id, email, now, now)
            self.state.identities[identity.id] = identity
            return identity

    async def get_identity(self, provider: str, subject: str) -> Identity | None:
        for identity in self.state.identities.values():
            if identity.provider == provider and identity.subject == subject:
                return identity
        return None

    async def list_identities(self, user_id: str) -> list[Identity]:
        own = [i for i in self.state.identities.values() if i.user_id == user_id]
        return sorted(own, key=lambda i: (i.created_at, i.id))

    async def touch_identity(self, identity_id: str, *, now: float) -> None:
        identity = self.state.identities.get(identity_id)
        if identity is not None:
            self.state.identities[identity_id] = dataclasses.replace(identity, last_login_at=now)

    async def delete_identity(self, user_id: str, identity_id: str) -> bool:
        identity = self.state.identities.get(identity_id)
        if identity is None or identity.user_id != user_id:
            return False
        del self.state.identities[identity_id]
        return True
