"""The second step of a login: the ``mfa_token`` and a code, then the session.

A login whose password is right, for a user with TOTP on, starts no session:
``flows.login`` answers ``MfaRequired`` with an ``mfa_token``
(``gatepass.tokens.mfa_token``: 5 minutes, single use). ``verify_mfa``
spends it, judges the code (``second_factor.prove``: a TOTP code once, or a
recovery code) and starts the session with ``amr`` ``pwd otp mfa``. A wrong
code keeps the token alive with one more failure counted, up to 5; then it is
dead and the login starts again with the password. Whether the tokens go in
the body or in cookies was decided by the login and travels in the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gatepass.clock import Clock
from gatepass.errors import (
    InvalidCodeError,
    InvalidTokenError,
    RateLimitedError,
)
from gatepass.flows.grant import MFA_AMR, GrantIssuer, TokenGrant, start_login
from gatepass.flows.second_factor import prove
from gatepass.flows.services import Limits
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester
from gatepass.tokens import mfa_token, onetime
from gatepass.tokens.sealing import Sealer

__all__ = ["METHODS", "MfaRequired", "challenge", "verify_mfa"]

#: What ``POST /mfa/verify`` takes, in the order a client offers them.
METHODS: tuple[str, ...] = ("totp", "recovery_code")


@dataclass(frozen=True, slots=True)
class MfaRequired:
    """The password was right; the login waits for a code with ``mfa_token``."""

    mfa_token: str = field(repr=False)
    methods: tuple[str, ...] = METHODS


async def challenge(store: Store, user: User, *, cookies: bool, now: float) -> MfaRequired:
    """Mint and keep the ``mfa_token`` of ``user``'s login."""
    issued = mfa_token.mint(user, now, cookies=cookies)
    await store.save_account_token(issued.record)
    return MfaRequired(issued.token)


async def verify_mfa(
    store: Store,
    sealer: Sealer,
    limits: Limits,
    issuer: GrantIssuer,
    *,
    presented: str,
    code: str | None,
    recovery_code: str | None,
    requester: Requester,
    session_ttl: int,
    clock: Clock,
) -> tuple[TokenGrant, bool]:
    """The login's grant and whether it goes in cookies. ``InvalidTokenError``
    for an unknown, spent, expired or dead ``mfa_token``; ``InvalidCodeError``
    for a wrong code (the token lives on, up to 5 of them)."""
    now = clock()
    # A refused mfa_token is a refused credential (401), not a refused mail link (400).
    try:
        key = onetime.lookup_hash(presented)
    except InvalidTokenError:
        raise InvalidTokenError() from None
    record = await store.consume_account_token(key, "mfa_login", now=now)
    user = None if record is None else await store.get_user(record.user_id)
    try:
        record = onetime.redeem(record, user)
    except InvalidTokenError:
        raise InvalidTokenError() from None
    assert user is not None  # redeem refuses a missing user
    state = mfa_token.state_of(record)
    try:
        await prove(
            store,
            sealer,
            limits,
            user=user,
            code=code,
            recovery_code=recovery_code,
            requester=requester,
            now=now,
        )
    except InvalidCodeError:
        kept = mfa_token.after_failure(record)
        if kept is not None:
            await store.save_account_token(kept)
        raise
    except RateLimitedError:  # locked out for now: the token waits, as the password would
        await store.save_account_token(record)
        raise
    grant = await start_login(
        store, issuer, user, requester=requester, session_ttl=session_ttl, now=now, amr=MFA_AMR
    )
    return grant, state.cookies
