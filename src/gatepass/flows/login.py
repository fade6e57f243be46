"""Password login: rate limits, the password check, then a session and its first tokens.

A failure counts against the account and writes ``login_failed``
(``reauth.record_failed_login``); a success
clears this client's failures and starts the session in one transaction
(session, refresh token, ``login`` audit row), so a 503 leaves nothing behind.
An unknown email costs the same password hash as a wrong password. With
``verified_email_required`` the right password of an unverified address is
``EmailNotVerifiedError`` (said only once the password matched, so it tells
nothing to someone who does not know it) and starts no session.

A user with a second factor (TOTP on, or a passkey) gets no session either:
the right password answers ``MfaRequired`` (``flows.mfa_login``) with the
methods they can finish with, and the account's failures are cleared only
when the second factor is right too, so wrong codes add up with wrong passwords.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import EmailNotVerifiedError
from gatepass.flows.grant import PASSWORD_AMR, GrantIssuer, TokenGrant, start_login
from gatepass.flows.mfa_login import MfaRequired, challenge
from gatepass.flows.reauth import record_failed_login
from gatepass.flows.second_factor import methods_of
from gatepass.flows.services import Limits, PasswordHasher
from gatepass.identity.emails import sign_in_email
from gatepass.store.protocols import Store
from gatepass.store.rotation import Requester

__all__ = ["login"]


async def login(
    store: Store,
    passwords: PasswordHasher,
    limits: Limits,
    issuer: GrantIssuer,
    *,
    email: str,
    password: str,
    requester: Requester,
    session_ttl: int,
    clock: Clock,
    verified_email_required: bool = False,
    cookies: bool = False,
) -> TokenGrant | MfaRequired:
    """The first tokens of a new session, or ``MfaRequired`` for a user with
    a second factor (``cookies``: how the login wants its tokens, kept for the second
    step); ``InvalidCredentialsError`` (or a ``RateLimitedError``, an
    ``InvalidEmailError``) else."""
    now, email = clock(), sign_in_email(email)
    client = requester.ip or "unknown"
    await limits.check("login:ip", client)
    await limits.admit_login(email, client)  # 429, or a delay
    user = await store.get_user_by_email(email)
    ok, rehash = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        raise await record_failed_login(
            store,
            limits,
            email=email,
            user_id=user.id if user else None,
            requester=requester,
            now=now,
        )
    methods = await methods_of(store, user.id)
    if not methods:
        await limits.login_succeeded(email, client)
    if rehash:
        user = await store.update_user(user.id, password_hash=await passwords.hash(password))
    if verified_email_required and not user.email_verified:
        raise EmailNotVerifiedError()
    if methods:
        return await challenge(store, user, cookies=cookies, now=now, methods=methods)
    return await start_login(
        store, issuer, user, requester=requester, session_ttl=session_ttl, now=now, amr=PASSWORD_AMR
    )
