"""Proving the second factor: a TOTP code or a recovery code, checked once.

``prove`` is the one place a code is judged, for the login's second step and
for the changes that ask for a code (turning TOTP off, new recovery codes). A
TOTP code is accepted once: its step is recorded by a compare-and-set
(``FactorStore.accept_totp_step``), so a replay, even inside the same 30
seconds, is refused; a recovery code is spent by its use. A wrong code counts
against the account's lockout as a wrong password does
(``Limits.login_failed``) and is audited as ``mfa_failed``; the lockout is
asked first (``Limits.admit_login``), so a locked account takes no guesses.
A right code forgives no failures: only a whole login does
(``Limits.login_succeeded``, called by the login's second step,
``mfa_login.finish_mfa``, whatever the factor, and by ``reauth.confirm_password``). Else whoever
holds the codes (a session's thief who set TOTP up with their own app) could
clear the lockout of the passwords they guess.

The TOTP secret is kept sealed under the key-encryption key, bound to its
user (``seal_secret``/``open_secret``).
"""

from __future__ import annotations

from typing import Literal

from gatepass.errors import InvalidCodeError
from gatepass.flows.services import Limits
from gatepass.store.factors import TotpFactor
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester
from gatepass.tokens import totp
from gatepass.tokens.sealing import Sealer

__all__ = [
    "Method",
    "live_factor",
    "methods_of",
    "open_secret",
    "prove",
    "prove_code",
    "record_failed_code",
    "seal_secret",
]

Method = Literal["totp", "recovery_code"]


def seal_secret(sealer: Sealer, user_id: str, secret: str) -> bytes:
    return sealer.seal(secret.encode("ascii"), user_id.encode("utf-8"))


def open_secret(sealer: Sealer, factor: TotpFactor) -> str:
    """The secret; ``ConfigError`` when it was sealed under another key."""
    return sealer.open(factor.sealed_secret, factor.user_id.encode("utf-8")).decode("ascii")


async def live_factor(store: Store, user_id: str) -> TotpFactor | None:
    """The user's confirmed TOTP factor, or None (none, or set up but not confirmed)."""
    factor = await store.get_totp(user_id)
    return factor if factor is not None and factor.confirmed else None


async def methods_of(store: Store, user_id: str) -> tuple[str, ...]:
    """How the user can finish a password login: ``totp`` and ``recovery_code``
    when TOTP is on, ``passkey`` when they have one; empty: the password is enough."""
    factors = await store.second_factors(user_id)  # one read: every password login asks
    totp_on, passkeys = factors.totp, factors.passkeys > 0
    return (("totp", "recovery_code") if totp_on else ()) + (("passkey",) if passkeys else ())


async def prove(
    store: Store,
    sealer: Sealer,
    limits: Limits,
    *,
    user: User,
    code: str | None,
    recovery_code: str | None,
    requester: Requester,
    now: float,
) -> Method:
    """Which factor ``code`` (TOTP) or ``recovery_code`` proved; ``InvalidCodeError``
    (counted, audited) when neither did, ``RateLimitedError`` when locked out. A
    right one forgives nothing (see the module docstring)."""
    await limits.admit_login(user.email, requester.ip or "unknown")
    method = await _judge(store, sealer, user, code, recovery_code, now)
    if method is None:
        raise await record_failed_code(store, limits, user=user, requester=requester, now=now)
    return method


async def prove_code(
    store: Store,
    sealer: Sealer,
    limits: Limits,
    *,
    user: User,
    code: str,
    requester: Requester,
    now: float,
) -> None:
    """``prove`` for a TOTP code alone (the changes and re-authentications that ask for one)."""
    await prove(
        store,
        sealer,
        limits,
        user=user,
        code=code,
        recovery_code=None,
        requester=requester,
        now=now,
    )


async def record_failed_code(
    store: Store, limits: Limits, *, user: User, requester: Requester, now: float
) -> InvalidCodeError:
    """Count a wrong code against the account and audit ``mfa_failed``; returns the
    error to raise (``raise await record_failed_code(...)``)."""
    await limits.login_failed(user.email)
    await store.add_audit_event(
        "mfa_failed", at=now, user_id=user.id, ip=requester.ip, user_agent=requester.user_agent
    )
    return InvalidCodeError()


async def _judge(
    store: Store,
    sealer: Sealer,
    user: User,
    code: str | None,
    recovery_code: str | None,
    now: float,
) -> Method | None:
    factor = await live_factor(store, user.id)
    if factor is None:
        return None
    if code is not None:
        secret = open_secret(sealer, factor)
        step = totp.matching_step(secret, code, now=now, after=factor.last_step)
        if step is not None and await store.accept_totp_step(user.id, step):
            return "totp"
        return None
    if recovery_code is not None:
        hashed = totp.recovery_hash(user.id, recovery_code)
        if hashed is not None and await store.consume_recovery_code(user.id, hashed):
            return "recovery_code"
    return None
