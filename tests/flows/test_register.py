"""The registration flow: closed, bad email, limits, then the user and a verification link."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidEmailError, RegistrationClosedError, UserExistsError
from gatepass.flows import create_account, create_account_quietly, prepare_registration
from gatepass.flows.register import NewAccount
from gatepass.store.protocols import Store
from tests.clock import T0, Clock
from tests.flows.conftest import PASSWORD, WHO, CountedLimits, PlainPasswords, RecordingMailer


async def _prepare(limits: CountedLimits, email: str, *, open_: bool = True) -> NewAccount:
    return await prepare_registration(
        PlainPasswords(),
        limits,
        email=email,
        password=PASSWORD,
        requester=WHO,
        registration_open=open_,
    )


async def test_a_user_is_created_with_the_stored_email_and_mailed_a_link(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    clock.now += 5
    account = await _prepare(limits, " Ada@Example.COM ")
    user = await create_account(store, mailer, limits, account, clock=clock)
    assert user.email == "ada@example.com"
    assert not user.email_verified
    stored = await store.get_user_by_email("ada@example.com")
    assert stored is not None
    assert (stored.created_at, stored.password_hash) == (T0 + 5, f"plain:{PASSWORD}")
    assert limits.calls[0] == ("check", "register:ip", WHO.ip)
    assert mailer.kinds() == [("verify_email", "ada@example.com")]
    with pytest.raises(UserExistsError):
        await create_account(store, mailer, limits, account, clock=clock)
    assert len(mailer.sent) == 1


async def test_quietly_a_taken_address_mails_its_owner_and_creates_nothing(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    first = await create_account_quietly(
        store, mailer, limits, await _prepare(limits, "ada@example.com"), clock=clock
    )
    assert first is not None
    again = NewAccount("ada@example.com", "plain:another password")
    assert await create_account_quietly(store, mailer, limits, again, clock=clock) is None
    assert mailer.kinds() == [
        ("verify_email", "ada@example.com"),
        ("registration_attempt", "ada@example.com"),
    ]
    stored = await store.get_user_by_email("ada@example.com")
    assert stored is not None
    assert stored.password_hash == f"plain:{PASSWORD}"
    assert len(await store.list_users()) == 1


async def test_a_closed_server_refuses_before_reading_the_email(limits: CountedLimits) -> None:
    with pytest.raises(RegistrationClosedError):
        await _prepare(limits, "not an email", open_=False)
    assert limits.calls == []


async def test_a_bad_email_is_refused_before_it_is_counted(limits: CountedLimits) -> None:
    with pytest.raises(InvalidEmailError):
        await _prepare(limits, "not an email")
    assert limits.calls == []


async def test_quietly_the_owner_over_their_mail_limit_is_not_mailed_and_nothing_raised(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    """It runs after the 202: nobody to tell, no error to log."""
    account = await _prepare(limits, "ada@example.com")
    assert await create_account_quietly(store, mailer, limits, account, clock=clock) is not None
    limits.refuse.add("mail:address")
    again = NewAccount("ada@example.com", "plain:another password")
    assert await create_account_quietly(store, mailer, limits, again, clock=clock) is None
    assert mailer.kinds() == [("verify_email", "ada@example.com")]
