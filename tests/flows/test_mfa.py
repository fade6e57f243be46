"""TOTP set-up, confirmation, removal and new recovery codes on the memory store."""

from __future__ import annotations

import pyotp
import pytest

from gatepass.errors import FactorExistsError, InvalidCodeError, InvalidTokenError, NotFoundError
from gatepass.flows import mfa
from gatepass.store.protocols import Store
from gatepass.tokens import totp
from tests.clock import Clock
from tests.flows.conftest import EMAIL, PASSWORD, WHO, CountedLimits, events
from tests.flows.mfa_helpers import SEALER, Enrolled, enrolled


async def disable(store: Store, clock: Clock, done: Enrolled, code: str) -> None:
    await mfa.disable_totp(
        store, SEALER, CountedLimits(), user_id=done.user.id, code=code, requester=WHO, clock=clock
    )


async def test_setup_gives_a_secret_the_app_reads_and_stores_it_sealed(
    store: Store, clock: Clock
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    setup = await mfa.setup_totp(
        store, SEALER, user_id=user.id, issuer_name="auth.test", clock=clock
    )
    parsed = pyotp.parse_uri(setup.uri)
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.secret == setup.secret
    assert parsed.issuer == "auth.test"
    assert setup.secret not in repr(setup)
    factor = await store.get_totp(user.id)
    assert factor is not None
    assert not factor.confirmed
    assert setup.secret.encode() not in factor.sealed_secret
    assert await events(store) == []  # nothing is on until confirmed


async def test_confirming_turns_it_on_with_ten_recovery_codes(store: Store, clock: Clock) -> None:
    limits = CountedLimits()
    done = await enrolled(store, clock, limits)
    assert len(done.recovery_codes) == 10
    assert await store.count_recovery_codes(done.user.id) == 10
    factor = await store.get_totp(done.user.id)
    assert factor is not None
    assert factor.confirmed
    assert factor.last_step == totp.step_at(clock() - 30)  # the confirming code is spent
    assert await events(store) == ["mfa_enabled"]
    assert ("admit_login", EMAIL, WHO.ip) in limits.calls


async def test_a_wrong_first_code_turns_nothing_on_and_is_counted(
    store: Store, clock: Clock
) -> None:
    limits = CountedLimits()
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    setup = await mfa.setup_totp(
        store, SEALER, user_id=user.id, issuer_name="auth.test", clock=clock
    )
    wrong = pyotp.TOTP(setup.secret).at(clock() + 3600)
    with pytest.raises(InvalidCodeError):
        await mfa.confirm_totp(
            store, SEALER, limits, user_id=user.id, code=wrong, requester=WHO, clock=clock
        )
    factor = await store.get_totp(user.id)
    assert factor is not None
    assert not factor.confirmed
    assert ("login_failed", EMAIL) in limits.calls
    assert await events(store) == ["mfa_failed"]


async def test_setup_and_confirm_refuse_when_it_is_on_or_not_set_up(
    store: Store, clock: Clock
) -> None:
    done = await enrolled(store, clock)
    with pytest.raises(FactorExistsError):
        await mfa.setup_totp(
            store, SEALER, user_id=done.user.id, issuer_name="auth.test", clock=clock
        )
    with pytest.raises(FactorExistsError):
        await mfa.confirm_totp(
            store,
            SEALER,
            CountedLimits(),
            user_id=done.user.id,
            code=done.app.at(clock()),
            requester=WHO,
            clock=clock,
        )
    other = await store.create_user("bob@example.com", "plain:x", now=clock())
    with pytest.raises(NotFoundError):
        await mfa.confirm_totp(
            store,
            SEALER,
            CountedLimits(),
            user_id=other.id,
            code="123456",
            requester=WHO,
            clock=clock,
        )
    with pytest.raises(InvalidTokenError):
        await mfa.setup_totp(store, SEALER, user_id="gone", issuer_name="auth.test", clock=clock)


async def test_disabling_takes_a_current_code_and_removes_factor_and_codes(
    store: Store, clock: Clock
) -> None:
    done = await enrolled(store, clock)
    with pytest.raises(InvalidCodeError):  # the confirming code, spent
        await disable(store, clock, done, done.app.at(clock() - 30))
    with pytest.raises(InvalidCodeError):  # a recovery code is not a TOTP code
        await disable(store, clock, done, done.recovery_codes[0])
    await disable(store, clock, done, done.app.at(clock()))
    assert await store.get_totp(done.user.id) is None
    assert await store.count_recovery_codes(done.user.id) == 0
    assert (await events(store))[-1] == "mfa_disabled"
    with pytest.raises(NotFoundError):
        await disable(store, clock, done, done.app.at(clock()))


async def test_a_right_code_for_a_change_is_no_login_and_forgives_no_failures(
    store: Store, clock: Clock
) -> None:
    done = await enrolled(store, clock)
    limits = CountedLimits()
    for change in (mfa.regenerate_recovery_codes, mfa.disable_totp):
        clock.now += 30
        code = done.app.at(clock())
        await change(
            store, SEALER, limits, user_id=done.user.id, code=code, requester=WHO, clock=clock
        )
    assert [call[0] for call in limits.calls] == ["admit_login", "admit_login"]


async def test_new_recovery_codes_replace_the_old_ones(store: Store, clock: Clock) -> None:
    done = await enrolled(store, clock)
    fresh = await mfa.regenerate_recovery_codes(
        store,
        SEALER,
        CountedLimits(),
        user_id=done.user.id,
        code=done.app.at(clock()),
        requester=WHO,
        clock=clock,
    )
    assert len(fresh) == 10
    assert not set(fresh) & set(done.recovery_codes)
    old = totp.recovery_hash(done.user.id, done.recovery_codes[0])
    new = totp.recovery_hash(done.user.id, fresh[0])
    assert old is not None
    assert new is not None
    assert not await store.consume_recovery_code(done.user.id, old)
    assert await store.consume_recovery_code(done.user.id, new)
    assert (await events(store))[-1] == "mfa_recovery_codes"
