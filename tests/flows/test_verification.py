"""Verifying an address: the link, its single use, its refusals, and who gets mailed."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidTokenError
from gatepass.flows import request_verification, send_verification, verify_email
from gatepass.store.protocols import Store
from gatepass.tokens.onetime import LIFETIMES
from tests.clock import Clock
from tests.flows.conftest import EMAIL, PASSWORD, CountedLimits, RecordingMailer


async def _user_mailed(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> str:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    assert await send_verification(store, mailer, limits, user=user, clock=clock)
    return mailer.token("verify_email")


async def test_the_link_verifies_once(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    token = await _user_mailed(store, clock, limits, mailer)
    assert limits.calls[-1][:2] == ("check", "mail:address")
    user = await verify_email(store, presented=token, clock=clock)
    assert user.email_verified
    stored = await store.get_user_by_email(EMAIL)
    assert stored is not None
    assert stored.email_verified
    with pytest.raises(InvalidTokenError):
        await verify_email(store, presented=token, clock=clock)
    # Verified: no second link is sent.
    assert not await send_verification(store, mailer, limits, user=user, clock=clock)
    assert len(mailer.sent) == 1


async def test_an_expired_link_is_refused(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    token = await _user_mailed(store, clock, limits, mailer)
    clock.now += LIFETIMES["verify_email"] + 1
    with pytest.raises(InvalidTokenError):
        await verify_email(store, presented=token, clock=clock)


async def test_a_link_dies_when_the_address_or_the_password_changes(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    token = await _user_mailed(store, clock, limits, mailer)
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    await store.update_user(user.id, password_hash="plain:something else entirely")
    with pytest.raises(InvalidTokenError):
        await verify_email(store, presented=token, clock=clock)


@pytest.mark.parametrize("presented", ["", "x" * 43 + "!", "a" * 42, "A" * 10_000, "é" * 43])
async def test_what_was_never_minted_is_refused_alike(
    store: Store, clock: Clock, presented: str
) -> None:
    with pytest.raises(InvalidTokenError) as caught:
        await verify_email(store, presented=presented, clock=clock)
    assert caught.value.message == "Invalid or expired token"
    assert caught.value.mailed  # 400, not a refused credential's 401


async def test_asking_by_address_mails_only_an_unverified_account(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await request_verification(store, mailer, limits, email="nobody@example.com", clock=clock)
    await request_verification(store, mailer, limits, email="not an address", clock=clock)
    assert mailer.sent == []
    await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    await request_verification(store, mailer, limits, email=" ADA@example.com", clock=clock)
    assert mailer.kinds() == [("verify_email", EMAIL)]


async def test_an_address_over_its_mail_limit_is_not_mailed_and_nothing_is_raised(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    """``request_verification`` runs after the 202: nobody to tell, no error to log."""
    await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    limits.refuse.add("mail:address")
    await request_verification(store, mailer, limits, email=EMAIL, clock=clock)
    assert mailer.sent == []
