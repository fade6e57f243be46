"""Proving it is still you: the password asked again before a sensitive change.

Changing the password or the address and deleting the account take the
caller's current password besides the access token. A wrong one is a failed
login in every respect (the lockout counts it, ``login_failed`` is audited),
so the access token of a stolen session cannot be used to guess the password.
``record_failed_login`` is the one place a failed login is recorded; the
login flow calls it too.

``reauthenticate`` is a login again inside the caller's session: the password,
and a current TOTP code when the user has TOTP on (the code first, so a known
password never clears the failures of guessed codes). The session records the
moment (``Session.auth_time``) and how (``amr``), and a new access token says
both; the refresh token and its rotation are untouched, and the session's
later refreshes carry the new ``auth_time``. Audited ``reauthenticated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from gatepass.clock import Clock
from gatepass.errors import InvalidCodeError, InvalidCredentialsError, InvalidTokenError
from gatepass.flows.grant import PASSWORD_AMR, GrantIssuer
from gatepass.flows.second_factor import live_factor, prove_code
from gatepass.flows.services import Limits, PasswordHasher
from gatepass.store.protocols import Store
from gatepass.store.records import Session, User
from gatepass.store.rotation import Requester
from gatepass.tokens.sealing import Sealer

__all__ = ["Reauthenticated", "confirm_password", "reauthenticate", "record_failed_login"]

#: The refusal of a re-authentication without the code a user with TOTP on needs.
CODE_REQUIRED: Final = "A code from the authenticator app is required too"

#: How a re-authentication with the password and a TOTP code went (RFC 8176).
PASSWORD_AND_CODE_AMR: Final = ("pwd", "otp", "mfa")


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


@dataclass(frozen=True, slots=True)
class Reauthenticated:
    """The session as it now is and its new access token."""

    session: Session
    access_token: str = field(repr=False)


async def reauthenticate(
    store: Store,
    passwords: PasswordHasher,
    sealer: Sealer,
    limits: Limits,
    issuer: GrantIssuer,
    *,
    user_id: str,
    session_id: str,
    password: str,
    code: str | None,
    requester: Requester,
    clock: Clock,
) -> Reauthenticated:
    """Record a new login in the caller's session (see the module docstring);
    InvalidCredentialsError / InvalidCodeError (counted) when a factor is wrong."""
    user = await store.get_user(user_id)
    session = await store.get_session(session_id)
    if (
        user is None
        or user.disabled
        or session is None
        or session.user_id != user.id
        or not session.is_live(clock())
    ):
        raise InvalidTokenError()
    totp_on = await live_factor(store, user.id) is not None
    if totp_on:
        if code is None:
            raise InvalidCodeError(CODE_REQUIRED)
        await prove_code(
            store, sealer, limits, user=user, code=code, requester=requester, now=clock()
        )
    await confirm_password(
        store,
        passwords,
        limits,
        user_id=user.id,
        password=password,
        requester=requester,
        clock=clock,
    )
    now = clock()
    amr = PASSWORD_AND_CODE_AMR if totp_on else PASSWORD_AMR
    again = await store.reauthenticate_session(session.id, now=now, amr=amr)
    if again is None:  # revoked or expired meanwhile
        raise InvalidTokenError()
    await store.add_audit_event(
        "reauthenticated",
        at=now,
        user_id=user.id,
        session_id=again.id,
        ip=requester.ip,
        user_agent=requester.user_agent,
    )
    return Reauthenticated(again, issuer.access_token(user, again, now, amr=amr))
