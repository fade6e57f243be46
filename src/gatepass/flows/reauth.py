"""Proving it is still you: the password asked again before a sensitive change.

Changing the password or the address and deleting the account take the
caller's current password besides the access token. A wrong one is a failed
login in every respect (the lockout counts it, ``login_failed`` is audited),
so the access token of a stolen session cannot be used to guess the password.
``record_failed_login`` is the one place a failed login is recorded; the
login flow calls it too.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import InvalidCredentialsError, InvalidTokenError
from gatepass.flows.services import Limits, PasswordHasher
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester

__all__ = ["confirm_password", "record_failed_login"]


async def record_failed_login(
    store: Store,
    limits: Limits,
    *,
    email: str,
    user_id: str | None,
    requester: Requester,
    now: float,
) -> InvalidCredentialsError:
    """Count the failure against the account and audit ``login_failed``; returns
    the error to raise (``raise await record_failed_login(...)``)."""
    await limits.login_failed(email)
    await store.add_audit_event(
        "login_failed",
        at=now,
        user_id=user_id,
        ip=requester.ip,
        user_agent=requester.user_agent,
    )
    return InvalidCredentialsError()


async def confirm_password(
    store: Store,
    passwords: PasswordHasher,
    limits: Limits,
    *,
    user_id: str,
    password: str,
    requester: Requester,
    clock: Clock,
) -> User:
    """The caller's row when ``password`` is theirs; ``InvalidCredentialsError``
    (counted and audited as a failed login) when not, ``RateLimitedError`` when
    the account's lockout says so, ``InvalidTokenError`` for a user gone or
    disabled since the token was issued."""
    user = await store.get_user(user_id)
    if user is None or user.disabled:
        raise InvalidTokenError()
    client = requester.ip or "unknown"
    await limits.admit_login(user.email, client)
    ok, _ = await passwords.verify(user.password_hash, password)
    if not ok:
        raise await record_failed_login(
            store, limits, email=user.email, user_id=user.id, requester=requester, now=clock()
        )
    await limits.login_succeeded(user.email, client)
    return user
