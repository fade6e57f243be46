"""Passkeys at the storage boundary: a user's WebAuthn credentials and the challenges
of the ceremonies under way.

A ``Passkey`` is what registration proved (``gatepass.tokens.passkey``): the
credential id the authenticator chose (unique across all users), its COSE
public key, the signature counter it last reported, its transports, its
backup flags (eligible: a synced passkey; state: backed up now), the
authenticator model (``aaguid``) and the name its owner gave it. Nothing in it
is secret: a public key signs nothing.

A ``PasskeyChallenge`` is kept only as the SHA-256 of the challenge, with the
ceremony it was made for (``register``, ``login``, ``mfa``), the user when the
ceremony has one, and its expiry. It is spent by the call that uses it
(``consume_passkey_challenge`` deletes it atomically), so an assertion is
accepted once. Saving one purges the expired ones.

``use_passkey`` is a compare-and-set on the counter, so two assertions racing
with one counter value cannot both win. Passkeys and challenges go with their
user (``UserStore.delete_user``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = ["CEREMONIES", "Ceremony", "Passkey", "PasskeyChallenge", "PasskeyStore"]

Ceremony = Literal["register", "login", "mfa"]
CEREMONIES: frozenset[str] = frozenset({"register", "login", "mfa"})


@dataclass(frozen=True, slots=True)
class Passkey:
    id: str
    user_id: str
    credential_id: bytes
    public_key: bytes = field(repr=False)
    sign_count: int
    transports: tuple[str, ...]
    backup_eligible: bool
    backup_state: bool
    aaguid: str
    name: str
    created_at: float
    last_used_at: float | None = None


@dataclass(frozen=True, slots=True)
class PasskeyChallenge:
    challenge_hash: str
    ceremony: Ceremony
    user_id: str | None
    expires_at: float

    def is_live(self, now: float) -> bool:
        return now < self.expires_at


class PasskeyStore(Protocol):
    async def add_passkey(self, passkey: Passkey) -> None:
        """Insert a passkey; a user that does not exist -> ``NotFoundError``; a
        credential id already stored (any user's) -> ``PasskeyExistsError``."""
        ...

    async def get_passkey_by_credential(self, credential_id: bytes) -> Passkey | None: ...

    async def list_passkeys(self, user_id: str) -> list[Passkey]:
        """The user's passkeys, oldest first."""
        ...

    async def count_passkeys(self, user_id: str) -> int: ...

    async def rename_passkey(self, user_id: str, passkey_id: str, name: str) -> Passkey | None:
        """Rename the user's passkey; None when the user has no passkey with that id."""
        ...

    async def delete_passkey(self, user_id: str, passkey_id: str) -> bool:
        """Delete the user's passkey; False when the user has no passkey with that id."""
        ...

    async def delete_passkeys(self, user_id: str) -> int:
        """Delete every passkey of the user; how many."""
        ...

    async def use_passkey(
        self, passkey_id: str, *, seen_count: int, sign_count: int, backup_state: bool, now: float
    ) -> bool:
        """Record an accepted assertion: the new counter, backup state and
        ``last_used_at``, if the stored counter still is ``seen_count``; True
        when it was (a compare-and-set: of concurrent calls one wins)."""
        ...

    async def save_passkey_challenge(self, challenge: PasskeyChallenge, *, now: float) -> None:
        """Keep a challenge (by its hash), deleting the ones expired at ``now``; a
        user that does not exist -> ``NotFoundError``."""
        ...

    async def consume_passkey_challenge(
        self, challenge_hash: str, ceremony: Ceremony, *, now: float
    ) -> PasskeyChallenge | None:
        """Spend the live challenge with this hash and ceremony: deleted and
        returned. None for an unknown, spent, expired or other ceremony's one
        (left as it is). Atomic: of concurrent calls, exactly one gets it."""
        ...
