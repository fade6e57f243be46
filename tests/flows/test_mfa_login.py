"""A login with TOTP on: the password answers an mfa_token, the code starts the session."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidCodeError, InvalidTokenError
from gatepass.flows import refresh
from gatepass.flows.grant import TokenGrant
from gatepass.flows.mfa_login import verify_mfa
from gatepass.jose import decode_unverified
from gatepass.store.protocols import Store
from tests.clock import Clock
from tests.flows.conftest import (
    EMAIL,
    ISSUER,
    POLICY,
    SESSION_TTL,
    WHO,
    CountedLimits,
    events,
    logged_in,
)
from tests.flows.mfa_helpers import SEALER, Enrolled, enrolled, password_step


async def second_step(
    store: Store,
    clock: Clock,
    limits: CountedLimits,
    token: str,
    *,
    code: str | None = None,
    recovery_code: str | None = None,
) -> tuple[TokenGrant, bool]:
    return await verify_mfa(
        store,
        SEALER,
        limits,
        ISSUER,
        presented=token,
        code=code,
        recovery_code=recovery_code,
        requester=WHO,
        session_ttl=SESSION_TTL,
        clock=clock,
    )


def wrong_code(alice: Enrolled, clock: Clock) -> str:
    """A six-digit code the app does not show for the steps around now."""
    window = {alice.app.at(clock() + d) for d in (-30, 0, 30)}
    return next(c for c in ("999999", "888888", "777777", "666666") if c not in window)


@pytest.fixture
async def alice(store: Store, clock: Clock) -> Enrolled:
    return await enrolled(store, clock)


async def test_the_right_password_starts_no_session_and_clears_no_failures(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    limits = CountedLimits()
    answer = await password_step(store, clock, limits)
    assert answer.methods == ("totp", "recovery_code")
    assert answer.mfa_token not in repr(answer)
    assert await store.list_active_sessions(alice.user.id, now=clock()) == []
    assert not [c for c in limits.calls if c[0] == "login_succeeded"]


async def test_a_code_finishes_the_login_with_amr_and_auth_time(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    limits = CountedLimits()
    answer = await password_step(store, clock, limits)
    started = clock()
    clock.now += 20
    grant, cookies = await second_step(
        store, clock, limits, answer.mfa_token, code=alice.app.at(clock())
    )
    assert cookies is False
    _, claims = decode_unverified(grant.access_token)
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["auth_time"] == int(started + 20)
    assert claims["sub"] == alice.user.id
    assert ("login_succeeded", EMAIL, WHO.ip) in limits.calls
    assert (await events(store))[-1] == "login"
    with pytest.raises(InvalidTokenError):  # the mfa_token is spent
        await second_step(store, clock, limits, answer.mfa_token, code=alice.app.at(clock()))


async def test_the_login_keeps_how_it_asked_for_its_tokens(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    answer = await password_step(store, clock, CountedLimits(), cookies=True)
    _, cookies = await second_step(
        store, clock, CountedLimits(), answer.mfa_token, code=alice.app.at(clock())
    )
    assert cookies is True


async def test_a_code_is_accepted_once_a_replay_in_the_same_window_is_refused(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    code = alice.app.at(clock())
    first = await password_step(store, clock, CountedLimits())
    await second_step(store, clock, CountedLimits(), first.mfa_token, code=code)
    again = await password_step(store, clock, CountedLimits())
    clock.now += 5
    limits = CountedLimits()
    with pytest.raises(InvalidCodeError):
        await second_step(store, clock, limits, again.mfa_token, code=code)
    assert ("login_failed", EMAIL) in limits.calls
    assert (await events(store))[-1] == "mfa_failed"


@pytest.mark.parametrize("drift", [-30, 30])
async def test_one_step_of_drift_is_accepted(
    store: Store, clock: Clock, alice: Enrolled, drift: int
) -> None:
    clock.now += 60  # well past the confirming code's step
    answer = await password_step(store, clock, CountedLimits())
    await second_step(
        store, clock, CountedLimits(), answer.mfa_token, code=alice.app.at(clock() + drift)
    )


async def test_two_steps_off_is_refused(store: Store, clock: Clock, alice: Enrolled) -> None:
    clock.now += 120
    answer = await password_step(store, clock, CountedLimits())
    late = alice.app.at(clock() - 60)
    if late not in {alice.app.at(clock() + d) for d in (-30, 0, 30)}:
        with pytest.raises(InvalidCodeError):
            await second_step(store, clock, CountedLimits(), answer.mfa_token, code=late)


async def test_a_recovery_code_works_once(store: Store, clock: Clock, alice: Enrolled) -> None:
    code = alice.recovery_codes[3]
    answer = await password_step(store, clock, CountedLimits())
    grant, _ = await second_step(
        store, clock, CountedLimits(), answer.mfa_token, recovery_code=code.lower()
    )
    _, claims = decode_unverified(grant.access_token)
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert await store.count_recovery_codes(alice.user.id) == 9
    again = await password_step(store, clock, CountedLimits())
    with pytest.raises(InvalidCodeError):
        await second_step(store, clock, CountedLimits(), again.mfa_token, recovery_code=code)


async def test_five_wrong_codes_end_the_mfa_token_each_counted(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    limits = CountedLimits()
    answer = await password_step(store, clock, limits)
    for _ in range(5):
        with pytest.raises(InvalidCodeError):
            await second_step(store, clock, limits, answer.mfa_token, code=wrong_code(alice, clock))
    assert limits.calls.count(("login_failed", EMAIL)) == 5
    with pytest.raises(InvalidTokenError):  # dead, even with the right code
        await second_step(store, clock, limits, answer.mfa_token, code=alice.app.at(clock()))


async def test_four_wrong_codes_leave_it_alive(store: Store, clock: Clock, alice: Enrolled) -> None:
    answer = await password_step(store, clock, CountedLimits())
    wrong = wrong_code(alice, clock)
    for _ in range(4):
        with pytest.raises(InvalidCodeError):
            await second_step(store, clock, CountedLimits(), answer.mfa_token, code=wrong)
    await second_step(store, clock, CountedLimits(), answer.mfa_token, code=alice.app.at(clock()))


async def test_the_mfa_token_lives_five_minutes(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    answer = await password_step(store, clock, CountedLimits())
    clock.now += 300
    with pytest.raises(InvalidTokenError):
        await second_step(
            store, clock, CountedLimits(), answer.mfa_token, code=alice.app.at(clock())
        )


@pytest.mark.parametrize("presented", ["", "x" * 43, "short", "\x00" * 43])
async def test_what_is_no_mfa_token_is_invalid_token(
    store: Store, clock: Clock, alice: Enrolled, presented: str
) -> None:
    with pytest.raises(InvalidTokenError):
        await second_step(store, clock, CountedLimits(), presented, code=alice.app.at(clock()))


async def test_a_password_change_kills_a_waiting_mfa_token(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    answer = await password_step(store, clock, CountedLimits())
    await store.update_user(alice.user.id, password_hash="plain:another password")
    with pytest.raises(InvalidTokenError):
        await second_step(
            store, clock, CountedLimits(), answer.mfa_token, code=alice.app.at(clock())
        )


async def test_a_user_without_totp_logs_in_with_amr_pwd(store: Store, clock: Clock) -> None:
    grant = await logged_in(store, clock)
    _, claims = decode_unverified(grant.access_token)
    assert claims["amr"] == ["pwd"]
    assert claims["auth_time"] == int(clock())


async def test_a_refresh_keeps_amr_and_auth_time(
    store: Store, clock: Clock, alice: Enrolled
) -> None:
    answer = await password_step(store, clock, CountedLimits())
    grant, _ = await second_step(
        store, clock, CountedLimits(), answer.mfa_token, code=alice.app.at(clock())
    )
    started = clock()
    clock.now += 600
    renewed = await refresh(
        store, POLICY, ISSUER, presented=grant.refresh_token, requester=WHO, clock=clock
    )
    _, claims = decode_unverified(renewed.access_token)
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["auth_time"] == int(started)
    assert claims["iat"] == int(started + 600)
