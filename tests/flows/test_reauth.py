"""``flows.reauth.reauthenticate``: a login again inside the session, on a hand-moved clock."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidCodeError, InvalidCredentialsError, InvalidTokenError
from gatepass.flows.grant import start_login
from gatepass.flows.reauth import Reauthenticated, reauthenticate
from gatepass.jose import decode_unverified
from gatepass.store.protocols import Store
from gatepass.store.records import User
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
from tests.flows.mfa_helpers import SEALER, enrolled


async def _again(
    store: Store,
    limits: CountedLimits,
    clock: Clock,
    user: User,
    session_id: str,
    *,
    password: str = PASSWORD,
    code: str | None = None,
) -> Reauthenticated:
    return await reauthenticate(
        store,
        PlainPasswords(),
        SEALER,
        limits,
        ISSUER,
        user_id=user.id,
        session_id=session_id,
        password=password,
        code=code,
        requester=WHO,
        clock=clock,
    )


async def _session(store: Store, clock: Clock, user: User) -> str:
    grant = await start_login(
        store, ISSUER, user, requester=WHO, session_ttl=SESSION_TTL, now=clock(), amr=("pwd",)
    )
    return grant.session_id


async def test_the_session_records_the_new_auth_time_and_the_token_says_it(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    session_id = await _session(store, clock, user)
    clock.now += 700
    done = await _again(store, limits, clock, user, session_id)
    assert (done.session.auth_time, done.session.amr) == (clock.now, ("pwd",))
    _, claims = decode_unverified(done.access_token)
    assert (claims["auth_time"], claims["amr"], claims["sid"]) == (
        int(clock.now),
        ["pwd"],
        session_id,
    )
    events = [e.event for e in await store.list_audit_events(limit=10)]
    assert "reauthenticated" in events


async def test_a_wrong_password_is_a_failed_login_and_changes_nothing(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    session_id = await _session(store, clock, user)
    clock.now += 700
    with pytest.raises(InvalidCredentialsError):
        await _again(store, limits, clock, user, session_id, password="wrong")
    assert ("login_failed", EMAIL) in limits.calls
    session = await store.get_session(session_id)
    assert session is not None
    assert session.reauthenticated_at is None


async def test_with_totp_the_code_comes_first_so_a_known_password_clears_nothing(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    on = await enrolled(store, clock)
    session_id = await _session(store, clock, on.user)
    with pytest.raises(InvalidCodeError):
        await _again(store, limits, clock, on.user, session_id)  # no code
    with pytest.raises(InvalidCodeError):
        await _again(store, limits, clock, on.user, session_id, code="000000")
    assert not any(call[0] == "login_succeeded" for call in limits.calls)
    done = await _again(store, limits, clock, on.user, session_id, code=on.app.at(clock()))
    assert done.session.amr == ("pwd", "otp", "mfa")


async def test_a_known_code_clears_no_failures_of_guessed_passwords(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    """A thief of the session who set up TOTP with their own app knows every code: a right
    code must not forgive the wrong passwords they guess after it (only a whole login does)."""
    on = await enrolled(store, clock)
    session_id = await _session(store, clock, on.user)
    with pytest.raises(InvalidCredentialsError):
        await _again(
            store, limits, clock, on.user, session_id, password="guess", code=on.app.at(clock())
        )
    assert ("login_failed", EMAIL) in limits.calls
    assert not any(call[0] == "login_succeeded" for call in limits.calls)
    clock.now += 30
    await _again(store, limits, clock, on.user, session_id, code=on.app.at(clock()))
    assert limits.calls[-1] == ("login_succeeded", EMAIL, WHO.ip)  # both right: forgiven


async def test_a_revoked_session_is_not_reauthenticated_nor_its_password_checked(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    session_id = await _session(store, clock, user)
    await store.revoke_session(session_id, now=clock(), reason="logout")
    with pytest.raises(InvalidTokenError):
        await _again(store, limits, clock, user, session_id)
    assert not any(call[0] == "admit_login" for call in limits.calls)
