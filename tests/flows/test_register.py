"""The registration flow: closed, bad email, limits, then the user, created at the clock's time."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidEmailError, RegistrationClosedError, UserExistsError
from gatepass.flows import register
from gatepass.store.protocols import Store
from tests.clock import T0, Clock
from tests.flows.conftest import PASSWORD, WHO, CountedLimits, PlainPasswords


async def _register(
    store: Store, clock: Clock, limits: CountedLimits, email: str, *, open_: bool = True
) -> str:
    user = await register(
        store,
        PlainPasswords(),
        limits,
        email=email,
        password=PASSWORD,
        requester=WHO,
        registration_open=open_,
        clock=clock,
    )
    return user.email


async def test_a_user_is_created_with_the_stored_email(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    clock.now += 5
    assert await _register(store, clock, limits, " Ada@Example.COM ") == "ada@example.com"
    user = await store.get_user_by_email("ada@example.com")
    assert user is not None
    assert (user.created_at, user.password_hash) == (T0 + 5, f"plain:{PASSWORD}")
    assert limits.calls == [("check", "register:ip", WHO.ip)]
    with pytest.raises(UserExistsError):
        await _register(store, clock, limits, "ada@example.com")


async def test_a_closed_server_refuses_before_reading_the_email(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    with pytest.raises(RegistrationClosedError):
        await _register(store, clock, limits, "not an email", open_=False)
    assert limits.calls == []


async def test_a_bad_email_is_refused_before_it_is_counted(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    with pytest.raises(InvalidEmailError):
        await _register(store, clock, limits, "not an email")
    assert limits.calls == []
