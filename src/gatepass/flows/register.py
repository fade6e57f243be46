"""Registration: an open server, a valid email and a strong password make a user."""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import RegistrationClosedError
from gatepass.flows.services import Limits, PasswordHasher
from gatepass.identity.emails import normalise_email
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester

__all__ = ["register"]


async def register(
    store: Store,
    passwords: PasswordHasher,
    limits: Limits,
    *,
    email: str,
    password: str,
    requester: Requester,
    registration_open: bool,
    clock: Clock,
) -> User:
    """The new user; ``RegistrationClosedError``, ``InvalidEmailError``,
    ``RateLimitedError``, ``WeakPasswordError`` or ``UserExistsError`` else (in that order)."""
    if not registration_open:
        raise RegistrationClosedError()
    email = normalise_email(email)
    await limits.check("register:ip", requester.ip or "unknown")
    await passwords.check_new(password, email)
    password_hash = await passwords.hash(password)
    return await store.create_user(email, password_hash, now=clock())
