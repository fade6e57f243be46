"""What the MFA flow tests share: the sealer, a user with TOTP on (pyotp as the app),
and the password step that a second factor then finishes."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp

from gatepass.flows import login, mfa
from gatepass.flows.mfa_login import MfaRequired
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.tokens.sealing import Sealer
from tests.clock import Clock
from tests.flows.conftest import (
    EMAIL,
    ISSUER,
    PASSWORD,
    SESSION_TTL,
    WHO,
    CountedLimits,
    PlainPasswords,
)

SEALER = Sealer("mfa-flow-tests-kek-" + "k" * 30, b"gatepass totp secret v1")


@dataclass(frozen=True)
class Enrolled:
    user: User
    app: pyotp.TOTP
    recovery_codes: list[str]


async def enrolled(store: Store, clock: Clock, limits: CountedLimits | None = None) -> Enrolled:
    """A user (``EMAIL``/``PASSWORD``) who set TOTP up and confirmed it at ``clock.now``;
    the clock then moves on a step, so the next code is a fresh one."""
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    setup = await mfa.setup_totp(
        store, SEALER, user_id=user.id, issuer_name="auth.test", clock=clock
    )
    app = pyotp.TOTP(setup.secret)
    codes = await mfa.confirm_totp(
        store,
        SEALER,
        limits or CountedLimits(),
        user_id=user.id,
        code=app.at(clock()),
        requester=WHO,
        clock=clock,
    )
    clock.now += 30
    return Enrolled(user, app, codes)


async def password_step(
    store: Store, clock: Clock, limits: CountedLimits, *, cookies: bool = False
) -> MfaRequired:
    """The right password of ``EMAIL``, for a user with a second factor: ``MfaRequired``."""
    answer = await login(
        store,
        PlainPasswords(),
        limits,
        ISSUER,
        email=EMAIL,
        password=PASSWORD,
        requester=WHO,
        session_ttl=SESSION_TTL,
        clock=clock,
        cookies=cookies,
    )
    assert isinstance(answer, MfaRequired)
    return answer
