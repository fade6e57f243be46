"""``flows.freshness``: the pure rule on hand-moved times, and the proofs on a memory store."""

import pytest

from gatepass.errors import (
    InsufficientUserAuthenticationError,
    InvalidCodeError,
    InvalidCredentialsError,
)
from gatepass.flows.freshness import Proofs, ensure_recent_login, proof_needed
from gatepass.store.protocols import Store
from tests.clock import T0, Clock
from tests.flows.conftest import EMAIL, PASSWORD, WHO, CountedLimits, PlainPasswords
from tests.flows.mfa_helpers import SEALER, enrolled


def test_a_login_within_max_age_needs_no_proof() -> None:
    for now in (T0, T0 + 600):
        assert proof_needed(auth_time=T0, max_age=600, now=now, totp_on=True) is None


def test_a_stale_login_needs_the_code_with_totp_on_and_the_password_without() -> None:
    assert proof_needed(auth_time=T0, max_age=600, now=T0 + 601, totp_on=True) == "code"
    assert proof_needed(auth_time=T0, max_age=600, now=T0 + 601, totp_on=False) == "password"


def test_max_age_zero_asks_for_the_proof_a_second_later() -> None:
    assert proof_needed(auth_time=T0, max_age=0, now=T0, totp_on=False) is None
    assert proof_needed(auth_time=T0, max_age=0, now=T0 + 1, totp_on=False) == "password"


async def _check(
    store: Store, limits: CountedLimits, clock: Clock, user_id: str, proofs: Proofs
) -> None:
    user = await store.get_user(user_id)
    assert user is not None
    await ensure_recent_login(
        store,
        PlainPasswords(),
        SEALER,
        limits,
        user=user,
        auth_time=T0,
        max_age=600,
        proofs=proofs,
        requester=WHO,
        clock=clock,
    )


async def test_a_stale_login_takes_the_password_and_counts_a_wrong_one(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    clock.now = T0 + 601
    with pytest.raises(InsufficientUserAuthenticationError) as caught:
        await _check(store, limits, clock, user.id, Proofs())
    assert caught.value.max_age == 600
    with pytest.raises(InsufficientUserAuthenticationError):
        await _check(store, limits, clock, user.id, Proofs(code="123456"))  # not its factor
    with pytest.raises(InvalidCredentialsError):
        await _check(store, limits, clock, user.id, Proofs(password="wrong"))
    assert ("login_failed", EMAIL) in limits.calls
    await _check(store, limits, clock, user.id, Proofs(password=PASSWORD))
    await _check(store, limits, clock, user.id, Proofs(checked=("password",)))


async def test_with_totp_on_a_stale_login_takes_a_code_once(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    on = await enrolled(store, clock)
    clock.now = T0 + 601
    with pytest.raises(InsufficientUserAuthenticationError):
        await _check(store, limits, clock, on.user.id, Proofs(password=PASSWORD))
    code = on.app.at(clock())
    await _check(store, limits, clock, on.user.id, Proofs(code=code))
    with pytest.raises(InvalidCodeError):
        await _check(store, limits, clock, on.user.id, Proofs(code=code))  # a replay
    await _check(store, limits, clock, on.user.id, Proofs(checked=("code",)))
    clock.now = T0 + 600  # within the window again: no proof asked
    await _check(store, limits, clock, on.user.id, Proofs())
