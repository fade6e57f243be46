"""The second step of a login: the ``mfa_token`` and a second factor, then the session.

A login whose password is right, for a user with a second factor (TOTP on, or
a passkey), starts no session: ``flows.login`` answers ``MfaRequired`` with
an ``mfa_token`` (``gatepass.tokens.mfa_token``: 5 minutes, single use) and
the ``methods`` the user can finish with. ``finish_mfa`` spends the token,
has the factor judged and starts the session with ``amr`` the first step's
(``pwd``, or a provider's values), the factor's values and ``mfa``, each once:
``verify_mfa`` for a TOTP or recovery code (``second_factor.prove``),
``flows.passkeys_mfa`` for a passkey. A refused
factor keeps the token alive with one more failure counted, up to 5; then it
is dead and the login starts again with the password. Whether the tokens go
in the body or in cookies was decided by the login and travels in the token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gatepass.clock import Clock
from gatepass.errors import (
    InvalidCodeError,
    InvalidPasskeyError,
    InvalidTokenError,
    RateLimitedError,
)
from gatepass.flows.grant import GrantIssuer, TokenGrant, start_login
from gatepass.flows.second_factor import prove
from gatepass.flows.services import Limits
from gatepass.store.account_tokens import AccountToken
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester
from gatepass.tokens import mfa_token, onetime
from gatepass.tokens.sealing import Sealer

__all__ = [
    "MfaRequired",
    "SecondFactor",
    "challenge",
    "finish_mfa",
    "open_mfa_token",
    "peek_mfa_token",
    "verify_mfa",
]

#: Judges the second factor for ``user`` at ``now``: the RFC 8176 ``amr`` values it
#: adds, or ``InvalidCodeError``/``InvalidPasskeyError`` (counted by the judge).
SecondFactor = Callable[[User, float], Awaitable[tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class MfaRequired:
    """The password was right; the login waits for a second factor with ``mfa_token``."""

    mfa_token: str = field(repr=False)
    methods: tuple[str, ...]


async def challenge(
    store: Store,
    user: User,
    *,
    cookies: bool,
    now: float,
    methods: tuple[str, ...],
    first: tuple[str, ...] = mfa_token.PASSWORD_FIRST,
) -> MfaRequired:
    """Mint and keep the ``mfa_token`` of ``user``'s login (``first``: the ``amr`` of
    its first step, the password's unless said)."""
    issued = mfa_token.mint(user, now, cookies=cookies, first=first)
    await store.save_account_token(issued.record)
    return MfaRequired(issued.token, methods)


async def open_mfa_token(store: Store, presented: str, now: float) -> tuple[AccountToken, User]:
    """Spend a presented ``mfa_token``: its record and user, or ``InvalidTokenError``
    (401: a refused credential, not a refused mail link) for an unknown, spent,
    expired or dead one."""
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
    return record, user


async def peek_mfa_token(store: Store, presented: str, now: float) -> User:
    """The user of a live ``mfa_token``, which stays as it was (asking for a
    passkey's options does not use the login up)."""
    record, user = await open_mfa_token(store, presented, now)
    await store.save_account_token(record)
    return user


async def finish_mfa(
    store: Store,
    limits: Limits,
    issuer: GrantIssuer,
    *,
    presented: str,
    second_factor: SecondFactor,
    requester: Requester,
    session_ttl: int,
    clock: Clock,
) -> tuple[TokenGrant, bool]:
    """The login's grant and whether it goes in cookies, once ``second_factor``
    accepted (a whole login: the account's failures are forgiven here, and only
    here among the second steps). ``InvalidTokenError`` for a dead
    ``mfa_token``; the factor's own refusal (the token lives on, up to 5 of them)."""
    now = clock()
    record, user = await open_mfa_token(store, presented, now)
    state = mfa_token.state_of(record)
    try:
        factor_amr = await second_factor(user, now)
    except (InvalidCodeError, InvalidPasskeyError):
        kept = mfa_token.after_failure(record)
        if kept is not None:
            await store.save_account_token(kept)
        raise
    except RateLimitedError:  # locked out for now: the token waits, as the password would
        await store.save_account_token(record)
        raise
    await limits.login_succeeded(user.email, requester.ip or "unknown")
    # Each method once, ``mfa`` last (a provider's first step may say ``mfa`` or ``otp`` too).
    amr = tuple(dict.fromkeys((*(m for m in state.first if m != "mfa"), *factor_amr, "mfa")))
    grant = await start_login(
        store, issuer, user, requester=requester, session_ttl=session_ttl, now=now, amr=amr
    )
    return grant, state.cookies


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
    """``finish_mfa`` with a TOTP code or a recovery code (``amr`` ``pwd otp mfa``)."""

    async def judge(user: User, now: float) -> tuple[str, ...]:
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
        return ("otp",)

    return await finish_mfa(
        store,
        limits,
        issuer,
        presented=presented,
        second_factor=judge,
        requester=requester,
        session_ttl=session_ttl,
        clock=clock,
    )
