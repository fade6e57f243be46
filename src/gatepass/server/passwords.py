"""Argon2id password hashing, off the event loop, with equal cost for unknown users.

Hashing and verification run in worker threads behind their own
``anyio.CapacityLimiter``, one token per core: argon2-cffi releases the GIL, so
N cores hash N passwords at once, and a login storm queues on this limiter
instead of taking every thread of anyio's default pool (which the rest of the
server, the SQLite driver and the password policy included, needs too).

Passwords are hashed and verified in their NFKC form (``gatepass.identity``).
A hash made before that rule may be of a password that NFKC changes: when the
NFKC form does not match and the password as typed differs from it, the typed
form is tried too, and a match asks for a rehash (to the NFKC form), so no
account is locked out. The unknown-user path runs the same attempts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gatepass.identity.passwords import check_new_password, normalise_password
from gatepass.settings import Settings

__all__ = ["Hasher", "Passwords", "default_hashers"]

_T = TypeVar("_T")


class Hasher(Protocol):
    """What ``Passwords`` calls in a worker thread (argon2-cffi's ``PasswordHasher``)."""

    def hash(self, password: str) -> str: ...

    def verify(self, hash: str, password: str) -> bool: ...

    def check_needs_rehash(self, hash: str) -> bool: ...


def default_hashers() -> int:
    """Hashes at once: the cores this process may run on."""
    return os.cpu_count() or 1


class Passwords:
    """Hash and verify; ``verify(None, ...)`` still costs one hash (no user oracle).

    At most ``concurrency`` hashes run at once: ``default_hashers()``, or as many
    as ``limiter`` allows when one is given (several ``Passwords`` in a process
    may share one bound); ``hasher`` replaces argon2-cffi's, for tests.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        limiter: CapacityLimiter | None = None,
        hasher: Hasher | None = None,
    ) -> None:
        self._hasher: Hasher = hasher or PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self.concurrency = default_hashers() if limiter is None else int(limiter.total_tokens)
        # Made in the event loop that first hashes (a limiter belongs to one loop).
        self._limiter = limiter
        self._dummy = self._hasher.hash("gatepass-dummy-password-for-unknown-users")

    async def _run(self, work: Callable[[str], _T], password: str) -> _T:
        if self._limiter is None:
            self._limiter = CapacityLimiter(self.concurrency)
        return await anyio.to_thread.run_sync(work, password, limiter=self._limiter)

    async def check_new(self, password: str, email: str | None) -> None:
        """The policy for a chosen password (``WeakPasswordError``), off the event loop."""
        await anyio.to_thread.run_sync(lambda: check_new_password(password, email=email))

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, normalise_password(password))

    async def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        """``(matches, needs_rehash)``; an unknown user (``None``) or one without a
        password (``NO_PASSWORD``, empty) never matches, at the same cost."""
        stored = stored or None
        target = stored if stored is not None else self._dummy
        normal = normalise_password(password)

        def check(candidate: str) -> bool:
            try:
                return self._hasher.verify(target, candidate)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        ok = await self._run(check, normal)
        legacy = not ok and normal != password and await self._run(check, password)
        if stored is None or not (ok or legacy):
            return False, False
        return True, legacy or self._hasher.check_needs_rehash(stored)
