"""Changing a password: the current one first; other sessions end, the caller's stays."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidCredentialsError, WeakPasswordError
from gatepass.flows import change_password
from gatepass.store.protocols import Store
from tests.clock import Clock
from tests.flows.conftest import (
    ACCESS_TTL,
    EMAIL,
    PASSWORD,
    WHO,
    CountedLimits,
    RecordingMailer,
    events,
    logged_in,
    sign_in,
)
from tests.flows.test_password_reset import PickyPasswords

NEW = "a brand new passphrase"


async def _change(
    store: Store,
    clock: Clock,
    limits: CountedLimits,
    mailer: RecordingMailer,
    session_id: str,
    current: str,
    new: str = NEW,
) -> list[str]:
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    return await change_password(
        store,
        PickyPasswords(),
        limits,
        mailer,
        user_id=user.id,
        session_id=session_id,
        current_password=current,
        new_password=new,
        requester=WHO,
        access_ttl=ACCESS_TTL,
        clock=clock,
    )


async def test_other_sessions_end_and_the_callers_stays(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    mine = await logged_in(store, clock)
    other = await sign_in(store, clock)
    ended = await _change(store, clock, limits, mailer, mine.session_id, PASSWORD)
    assert ended == [other.session_id]
    kept = await store.get_session(mine.session_id)
    gone = await store.get_session(other.session_id)
    assert kept is not None
    assert kept.revoked_at is None
    assert gone is not None
    assert gone.revoked_at == clock.now
    live = await store.live_revocations(now=clock.now)
    assert [(r.kind, r.subject) for r in live] == [("session", other.session_id)]
    assert mailer.kinds() == [("password_changed", EMAIL)]
    assert (await events(store))[-1] == "password_changed"
    await sign_in(store, clock, password=NEW)
    with pytest.raises(InvalidCredentialsError):
        await sign_in(store, clock, password=PASSWORD)


async def test_a_wrong_current_password_is_a_failed_login(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    mine = await logged_in(store, clock)
    limits.calls.clear()
    with pytest.raises(InvalidCredentialsError):
        await _change(store, clock, limits, mailer, mine.session_id, "not my password")
    assert ("login_failed", EMAIL) in limits.calls
    assert ("admit_login", EMAIL, WHO.ip) == limits.calls[0]
    assert (await events(store))[-1] == "login_failed"
    user = await store.get_user_by_email(EMAIL)
    assert user is not None
    assert user.password_hash == f"plain:{PASSWORD}"
    assert mailer.sent == []


async def test_a_weak_new_password_changes_nothing(
    store: Store, clock: Clock, limits: CountedLimits, mailer: RecordingMailer
) -> None:
    mine = await logged_in(store, clock)
    other = await sign_in(store, clock)
    with pytest.raises(WeakPasswordError):
        await _change(store, clock, limits, mailer, mine.session_id, PASSWORD, "weak")
    session = await store.get_session(other.session_id)
    assert session is not None
    assert session.revoked_at is None
