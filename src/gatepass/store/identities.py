"""Federated identities at the storage boundary: a provider's account, and whose it is here.

An identity is one ``(provider, subject)`` pair (the configured provider's
name and the ``sub`` of its id_token, or GitHub's numeric user id), unique
across gatepass, belonging to one user. ``email`` is the address the
provider gave when the identity was linked (shown in listings; the linking
rule reads the provider's claims, never this column). ``last_login_at`` is
the last time the identity signed in. Identities go with their user
(``UserStore.delete_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Identity", "IdentityStore"]


@dataclass(frozen=True, slots=True)
class Identity:
    id: str
    provider: str
    subject: str
    user_id: str
    email: str | None
    created_at: float
    last_login_at: float


class IdentityStore(Protocol):
    async def add_identity(
        self, user_id: str, provider: str, subject: str, *, email: str | None, now: float
    ) -> Identity:
        """Link ``(provider, subject)`` to the user (id a fresh uuid4 hex, last login
        ``now``); a pair already linked (to anyone) -> ``IdentityExistsError``, also
        when two links race (the unique index decides); no such user -> ``NotFoundError``."""
        ...

    async def get_identity(self, provider: str, subject: str) -> Identity | None: ...

    async def list_identities(self, user_id: str) -> list[Identity]:
        """The user's identities, oldest first."""
        ...

    async def touch_identity(self, identity_id: str, *, now: float) -> None:
        """Set ``last_login_at``; a missing identity is ignored."""
        ...

    async def delete_identity(self, user_id: str, identity_id: str) -> bool:
        """Unlink one of the user's identities; True when there was one (another
        user's identity is never touched)."""
        ...
