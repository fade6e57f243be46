"""Turning TOTP on and off, and new recovery codes, for a signed-in user.

``setup_totp`` makes a fresh secret (sealed in the store, not yet asked for at
login) and returns it with its ``otpauth://`` URI; ``confirm_totp`` takes a
first code from the app, turns the factor on and returns 10 recovery codes,
shown once (the store keeps only their hashes). ``disable_totp`` and
``regenerate_recovery_codes`` take a current code (``second_factor.prove_code``:
counted against the lockout when wrong). Each change is audited
(``mfa_enabled``, ``mfa_disabled``, ``mfa_recovery_codes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gatepass.clock import Clock
from gatepass.errors import FactorExistsError, InvalidTokenError, NotFoundError
from gatepass.flows.second_factor import (
    live_factor,
    open_secret,
    prove_code,
    record_failed_code,
    seal_secret,
)
from gatepass.flows.services import Limits
from gatepass.store.factors import TotpFactor
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester
from gatepass.tokens import totp
from gatepass.tokens.sealing import Sealer

__all__ = [
    "TotpSetup",
    "confirm_totp",
    "disable_totp",
    "regenerate_recovery_codes",
    "setup_totp",
]


@dataclass(frozen=True, slots=True)
class TotpSetup:
    """What the app needs: the secret (base32) and the URI a QR code carries."""

    secret: str = field(repr=False)
    uri: str = field(repr=False)


async def _live_user(store: Store, user_id: str) -> User:
    user = await store.get_user(user_id)
    if user is None or user.disabled:
        raise InvalidTokenError()
    return user


async def setup_totp(
    store: Store, sealer: Sealer, *, user_id: str, issuer_name: str, clock: Clock
) -> TotpSetup:
    """A new, unconfirmed secret for the user (replacing an unconfirmed one);
    ``FactorExistsError`` when TOTP is on already."""
    user = await _live_user(store, user_id)
    if await live_factor(store, user.id) is not None:
        raise FactorExistsError()
    secret = totp.new_secret()
    factor = TotpFactor(user.id, seal_secret(sealer, user.id, secret), False, clock())
    try:
        await store.save_totp(factor)
    except ValueError:  # confirmed by a concurrent request in between
        raise FactorExistsError() from None
    uri = totp.provisioning_uri(secret, account=user.email, issuer=issuer_name)
    return TotpSetup(secret, uri)


async def confirm_totp(
    store: Store,
    sealer: Sealer,
    limits: Limits,
    *,
    user_id: str,
    code: str,
    requester: Requester,
    clock: Clock,
) -> list[str]:
    """Turn the set-up factor on with a first code; the 10 recovery codes.
    ``NotFoundError`` without a set-up, ``FactorExistsError`` when on already,
    ``InvalidCodeError`` (counted) for a wrong code."""
    user, now = await _live_user(store, user_id), clock()
    factor = await store.get_totp(user.id)
    if factor is None:
        raise NotFoundError("No TOTP set-up to confirm")
    if factor.confirmed:
        raise FactorExistsError()
    await limits.admit_login(user.email, requester.ip or "unknown")
    step = totp.matching_step(open_secret(sealer, factor), code, now=now, after=None)
    codes, hashes = totp.new_recovery_codes(user.id)
    if step is None or not await store.confirm_totp(user.id, step=step, recovery_hashes=hashes):
        raise await record_failed_code(store, limits, user=user, requester=requester, now=now)
    await _audit(store, "mfa_enabled", user, requester, now)
    return codes


async def disable_totp(
    store: Store,
    sealer: Sealer,
    limits: Limits,
    *,
    user_id: str,
    code: str,
    requester: Requester,
    clock: Clock,
) -> None:
    """Turn TOTP off (factor and recovery codes gone) with a current code."""
    now = clock()
    user = await _proven(store, sealer, limits, user_id, code, requester, now)
    await store.delete_totp(user.id)
    await _audit(store, "mfa_disabled", user, requester, now)


async def regenerate_recovery_codes(
    store: Store,
    sealer: Sealer,
    limits: Limits,
    *,
    user_id: str,
    code: str,
    requester: Requester,
    clock: Clock,
) -> list[str]:
    """Ten new recovery codes (the old ones die) for a current TOTP code."""
    now = clock()
    user = await _proven(store, sealer, limits, user_id, code, requester, now)
    codes, hashes = totp.new_recovery_codes(user.id)
    await store.replace_recovery_codes(user.id, hashes)
    await _audit(store, "mfa_recovery_codes", user, requester, now)
    return codes


async def _proven(
    store: Store,
    sealer: Sealer,
    limits: Limits,
    user_id: str,
    code: str,
    requester: Requester,
    now: float,
) -> User:
    """The caller, once ``code`` is a current TOTP code of theirs (``NotFoundError``
    when TOTP is off, ``InvalidCodeError`` when it is not)."""
    user = await _live_user(store, user_id)
    if await live_factor(store, user.id) is None:
        raise NotFoundError("TOTP is not on")
    await prove_code(store, sealer, limits, user=user, code=code, requester=requester, now=now)
    return user


async def _audit(store: Store, event: str, user: User, requester: Requester, now: float) -> None:
    await store.add_audit_event(
        event, at=now, user_id=user.id, ip=requester.ip, user_agent=requester.user_agent
    )
