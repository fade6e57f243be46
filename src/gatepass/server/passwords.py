"""Argon2id password hashing, off the event loop, with equal cost for unknown users.

Passwords are hashed and verified in their NFKC form (``gatepass.identity``).
A hash made before that rule may be of a password that NFKC changes: when the
NFKC form does not match and the password as typed differs from it, the typed
form is tried too, and a match asks for a rehash (to the NFKC form), so no
account is locked out. The unknown-user path runs the same attempts.
"""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gatepass.identity.passwords import check_new_password, normalise_password
from gatepass.settings import Settings

__all__ = ["Passwords"]


class Passwords:
    """Hash and verify; ``verify(None, ...)`` still costs one hash (no user oracle)."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._dummy = self._hasher.hash("gatepass-dummy-password-for-unknown-users")

    async def check_new(self, password: str, email: str | None) -> None:
        """The policy for a chosen password (``WeakPasswordError``), off the event loop."""
        await anyio.to_thread.run_sync(lambda: check_new_password(password, email=email))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, normalise_password(password))

    async def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        """``(matches, needs_rehash)``; an unknown user (``None``) never matches."""
        target = stored if stored is not None else self._dummy
        normal = normalise_password(password)

        def check(candidate: str) -> bool:
            try:
                return self._hasher.verify(target, candidate)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        ok = await anyio.to_thread.run_sync(check, normal)
        legacy = not ok and normal != password and await anyio.to_thread.run_sync(check, password)
        if stored is None or not (ok or legacy):
            return False, False
        return True, legacy or self._hasher.check_needs_rehash(stored)
