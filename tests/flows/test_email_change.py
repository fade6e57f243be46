"""Moving an account to a new address: the password, the link, the notice, the switch."""

from __future__ import annotations

import pytest

from gatepass.errors import (
    InvalidCredentialsError,
    InvalidEmailError,
    InvalidInputError,
    InvalidTokenError,
    UserExistsError,
)
from gatepass.flows import confirm_email_change, request_email_change
from gatepass.store.protocols import Store
from gatepass.tokens.onetime import LIFETIMES
from tests.clock import Clock
from tests.flows.conftest import (
    EMAIL,
    PASSWORD,
    WHO,
    CountedLimits,
    PlainPasswords,
    RecordingMailer,
    events,
    logged_in,
)

NEW = "grace@example.com"


async def _ask(
    store: Store,
    clock: Clock,
    limits: CountedLimits,
    mailer: RecordingMailer,
    new: str = NEW,
    password: str = PASSWORD,
) -> None:
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    await request_email_change(
        store,
        PlainPasswords(),
        limits,
        mailer,
        user_id=user.id,
        new_email=new,
        password=password,
        requester=WHO,
        clock=clock,
    )


async def test_the_new_address_confirms_and_the_old_is_told(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    await _ask(store, clock, limits, mailer, " Grace@Example.COM")
    assert mailer.kinds() == [("email_change_confirm", NEW), ("email_change_notice", EMAIL)]
    user = await confirm_email_change(
        store, presented=mailer.token("email_change_confirm"), clock=clock
    )
    assert (user.email, user.email_verified) == (NEW, True)
    assert await store.get_user_by_email(EMAIL) is None
    assert (await events(store))[-2:] == ["email_change_requested", "email_changed"]
    with pytest.raises(InvalidTokenError):
        await confirm_email_change(
            store, presented=mailer.token("email_change_confirm"), clock=clock
        )


async def test_a_taken_address_gets_no_link_and_the_answer_is_the_same(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    await store.create_user(NEW, "plain:theirs", now=clock())
    await _ask(store, clock, limits, mailer)
    assert mailer.kinds() == [("email_change_notice", EMAIL)]


async def test_an_address_taken_before_the_confirmation_is_refused(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    await _ask(store, clock, limits, mailer)
    await store.create_user(NEW, "plain:theirs", now=clock())
    with pytest.raises(UserExistsError):
        await confirm_email_change(
            store, presented=mailer.token("email_change_confirm"), clock=clock
        )
    user = await store.get_user_by_email(EMAIL)
    assert user is not None


async def test_wrong_password_bad_address_same_address_and_late_link(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    with pytest.raises(InvalidCredentialsError):
        await _ask(store, clock, limits, mailer, password="not mine")
    with pytest.raises(InvalidEmailError):
        await _ask(store, clock, limits, mailer, new="no at sign")
    with pytest.raises(InvalidInputError):
        await _ask(store, clock, limits, mailer, new=EMAIL.upper())
    assert mailer.sent == []
    await _ask(store, clock, limits, mailer)
    clock.now += LIFETIMES["change_email"] + 1
    with pytest.raises(InvalidTokenError):
        await confirm_email_change(
            store, presented=mailer.token("email_change_confirm"), clock=clock
        )
