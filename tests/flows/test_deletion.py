"""Deleting an account: the password, then the user gone, the events kept without personal data."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidCredentialsError, InvalidTokenError
from gatepass.flows import delete_account
from gatepass.store.protocols import Store
from tests.clock import Clock
from tests.flows.conftest import (
    ACCESS_TTL,
    EMAIL,
    PASSWORD,
    WHO,
    CountedLimits,
    PlainPasswords,
    RecordingMailer,
    logged_in,
)


async def _delete(
    store: Store,
    clock: Clock,
    limits: CountedLimits,
    mailer: RecordingMailer,
    user_id: str,
    password: str = PASSWORD,
) -> None:
    await delete_account(
        store,
        PlainPasswords(),
        limits,
        mailer,
        user_id=user_id,
        password=password,
        requester=WHO,
        access_ttl=ACCESS_TTL,
        clock=clock,
    )


async def test_the_user_and_their_sessions_are_gone_the_events_stay(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    grant = await logged_in(store, clock)
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    with pytest.raises(InvalidCredentialsError):
        await _delete(store, clock, limits, mailer, user.id, "not mine")
    assert await store.get_user(user.id) is not None
    await _delete(store, clock, limits, mailer, user.id)
    assert await store.get_user(user.id) is None
    assert await store.get_user_by_email(EMAIL) is None
    assert await store.get_session(grant.session_id) is None
    live = await store.live_revocations(now=clock.now)
    assert ("user", user.id) in [(r.kind, r.subject) for r in live]
    trail = await store.list_audit_events(user_id=user.id)
    assert next(e.event for e in trail) == "account_deleted"
    assert "login" in [e.event for e in trail]
    assert all(e.ip is None and e.user_agent is None for e in trail)
    assert mailer.kinds() == [("account_deleted", EMAIL)]
    with pytest.raises(InvalidTokenError):  # the token of a deleted user
        await _delete(store, clock, limits, mailer, user.id)
    await store.create_user(EMAIL, "plain:a new life", now=clock())  # the address is free
