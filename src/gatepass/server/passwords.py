"""Argon2id password hashing, off the event loop, with equal cost for unknown users."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        """``(matches, needs_rehash)``; an unknown user (``None``) never matches."""
        target = stored if stored is not None else self._dummy

        def check() -> bool:
            try:
                return self._hasher.verify(target, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        ok = await anyio.to_thread.run_sync(check)
        if stored is None or not ok:
            return False, False
        return True, self._hasher.check_needs_rehash(stored)
