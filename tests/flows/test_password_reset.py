"""A forgotten password: who is mailed, the link's rules, and what a reset ends."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidTokenError, WeakPasswordError
from gatepass.flows import (
    request_password_reset,
    request_verification,
    reset_password,
    send_verification,
)
from gatepass.store.protocols import Store
from gatepass.store.records import NO_PASSWORD
from gatepass.tokens.onetime import LIFETIMES
from tests.clock import Clock
from tests.flows.conftest import (
    ACCESS_TTL,
    EMAIL,
    WHO,
    CountedLimits,
    PlainPasswords,
    RecordingMailer,
    events,
    logged_in,
    sign_in,
)

NEW = "a brand new passphrase"


class PickyPasswords(PlainPasswords):
    async def check_new(self, password: str, email: str | None) -> None:
        if password == "weak":
            raise WeakPasswordError()


async def _reset(
    store: Store,
    clock: Clock,
    limits: CountedLimits,
    mailer: RecordingMailer,
    token: str,
    password: str = NEW,
) -> None:
    await reset_password(
        store,
        PickyPasswords(),
        limits,
        mailer,
        presented=token,
        password=password,
        requester=WHO,
        access_ttl=ACCESS_TTL,
        clock=clock,
    )


async def test_only_a_known_address_is_mailed(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    assert not await request_password_reset(
        store, mailer, limits, email="who@example.com", clock=clock
    )
    assert not await request_password_reset(store, mailer, limits, email="@@", clock=clock)
    assert mailer.sent == []
    await logged_in(store, clock)
    assert await request_password_reset(store, mailer, limits, email="Ada@Example.com", clock=clock)
    assert mailer.kinds() == [("reset_password", EMAIL)]
    assert "password_reset_requested" in await events(store)


async def test_a_reset_sets_the_password_ends_every_session_and_signs_nobody_in(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    grant = await logged_in(store, clock)
    await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    clock.now += 60
    await _reset(store, clock, limits, mailer, mailer.token("reset_password"))
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    assert user.password_hash == f"plain:{NEW}"
    assert user.email_verified
    session = await store.get_session(grant.session_id)
    assert session is not None
    assert session.revoked_at == clock.now
    live = await store.live_revocations(now=clock.now)
    assert [(r.kind, r.subject) for r in live] == [("session", grant.session_id)]
    assert await store.list_active_sessions(user.id, now=clock.now) == []
    assert ("reset_account", EMAIL, WHO.ip) in limits.calls
    assert mailer.kinds()[-1] == ("password_changed", EMAIL)
    assert (await events(store))[-1] == "password_reset"
    fresh = await sign_in(store, clock, password=NEW)  # the new password works, at once
    assert all(r.subject != fresh.session_id for r in await store.live_revocations(now=clock.now))


async def test_the_link_works_once_and_for_thirty_minutes(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    token = mailer.token("reset_password")
    await _reset(store, clock, limits, mailer, token)
    with pytest.raises(InvalidTokenError):
        await _reset(store, clock, limits, mailer, token, "yet another passphrase")
    await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    late = mailer.token("reset_password")
    assert LIFETIMES["reset_password"] == 30 * 60
    clock.now += 30 * 60 + 1
    with pytest.raises(InvalidTokenError):
        await _reset(store, clock, limits, mailer, late)


async def test_a_weak_password_costs_no_link(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    token = mailer.token("reset_password")
    with pytest.raises(WeakPasswordError):
        await _reset(store, clock, limits, mailer, token, "weak")
    await _reset(store, clock, limits, mailer, token)


async def test_the_link_dies_when_the_password_changes_another_way(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    token = mailer.token("reset_password")
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    await store.update_user(user.id, password_hash="plain:set by an operator")
    with pytest.raises(InvalidTokenError):
        await _reset(store, clock, limits, mailer, token)


async def test_a_link_of_another_purpose_is_refused(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    await logged_in(store, clock)
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    await send_verification(store, mailer, limits, user=user, clock=clock)
    with pytest.raises(InvalidTokenError):
        await _reset(store, clock, limits, mailer, mailer.token("verify_email"))


async def test_an_address_over_its_mail_limit_is_quietly_not_mailed(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    """It runs after the 202 (nobody to tell): no mail, no token, no error to log."""
    await logged_in(store, clock)
    limits.refuse.add("mail:address")
    assert not await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    await request_verification(store, mailer, limits, email=EMAIL, clock=clock)
    assert mailer.sent == []
    assert "password_reset_requested" not in await events(store)


async def test_a_reset_that_proves_the_address_drops_identities_linked_while_it_was_unproved(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    """Account pre-hijacking: someone signs in first with a provider that vouches for nobody's
    address (``email_verified`` false) but names the victim's, so gatepass makes an
    unverified, passwordless account of it. The address's owner later takes it by a
    reset; the provider's identity must not stay a way in for whoever made it."""
    user = await store.create_user(EMAIL, NO_PASSWORD, now=clock(), email_verified=False)
    await store.add_identity(user.id, "evil", "mallory", email=EMAIL, now=clock())
    await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    await _reset(store, clock, limits, mailer, mailer.token("reset_password"))
    assert await store.list_identities(user.id) == []
    assert await store.get_identity("evil", "mallory") is None
    assert "identity_unlinked" in await events(store)


async def test_a_reset_of_a_proved_address_keeps_the_identities(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    """Linked while the address was proved (or by its signed-in owner): still theirs."""
    user = await store.create_user(EMAIL, NO_PASSWORD, now=clock(), email_verified=True)
    await store.add_identity(user.id, "good", "ada", email=EMAIL, now=clock())
    await request_password_reset(store, mailer, limits, email=EMAIL, clock=clock)
    await _reset(store, clock, limits, mailer, mailer.token("reset_password"))
    assert [i.subject for i in await store.list_identities(user.id)] == ["ada"]
