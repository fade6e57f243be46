"""Ending sessions: denylisted for an access-token lifetime from the clock's now, and audited."""

from __future__ import annotations

import pytest

from gatepass.errors import NotFoundError
from gatepass.flows import logout, logout_all, revoke_own_session, revoke_session
from gatepass.store.protocols import Store
from tests.clock import Clock
from tests.flows.conftest import ACCESS_TTL, events, logged_in


async def _user_of(store: Store, session_id: str) -> str:
    session = await store.get_session(session_id)
    assert session is not None
    return session.user_id


async def _ended(store: Store, session_id: str) -> tuple[float | None, str | None]:
    session = await store.get_session(session_id)
    assert session is not None
    return session.revoked_at, session.revoked_reason


async def test_logout_ends_the_session_and_denylists_its_tokens(store: Store, clock: Clock) -> None:
    grant = await logged_in(store, clock)
    user_id = await _user_of(store, grant.session_id)
    clock.now += 30
    await logout(
        store, user_id=user_id, session_id=grant.session_id, access_ttl=ACCESS_TTL, clock=clock
    )
    assert await _ended(store, grant.session_id) == (clock.now, "logout")
    [denied] = await store.live_revocations(now=clock.now)
    assert (denied.kind, denied.subject) == ("session", grant.session_id)
    assert denied.expires_at == clock.now + ACCESS_TTL
    assert await store.live_revocations(now=clock.now + ACCESS_TTL) == []
    assert await events(store) == ["login", "logout"]


async def test_logout_all_ends_every_session(store: Store, clock: Clock) -> None:
    grant = await logged_in(store, clock)
    user_id = await _user_of(store, grant.session_id)
    other = await store.create_session(user_id, now=clock.now, expires_at=clock.now + 3600)
    clock.now += 1
    await logout_all(store, user_id=user_id, access_ttl=ACCESS_TTL, clock=clock)
    assert await store.list_active_sessions(user_id, now=clock.now) == []
    assert await _ended(store, other.id) == (clock.now, "logout_all")
    kinds = {(r.kind, r.subject) for r in await store.live_revocations(now=clock.now)}
    assert ("user", user_id) in kinds
    assert (await events(store))[-1] == "logout_all"


async def test_only_ones_own_session_can_be_revoked(store: Store, clock: Clock) -> None:
    grant = await logged_in(store, clock)
    user_id = await _user_of(store, grant.session_id)
    with pytest.raises(NotFoundError):
        await revoke_own_session(
            store,
            user_id="someone-else",
            session_id=grant.session_id,
            access_ttl=ACCESS_TTL,
            clock=clock,
        )
    with pytest.raises(NotFoundError):
        await revoke_own_session(
            store,
            user_id=user_id,
            session_id="no-such-session",
            access_ttl=ACCESS_TTL,
            clock=clock,
        )
    await revoke_own_session(
        store, user_id=user_id, session_id=grant.session_id, access_ttl=ACCESS_TTL, clock=clock
    )
    assert await _ended(store, grant.session_id) == (clock.now, "revoked")
    assert await events(store) == ["login", "session_revoked"]


async def test_token_revocation_audits_only_a_live_session(store: Store, clock: Clock) -> None:
    grant = await logged_in(store, clock)
    for _ in range(2):
        await revoke_session(store, session_id=grant.session_id, access_ttl=ACCESS_TTL, clock=clock)
    await revoke_session(store, session_id="no-such-session", access_ttl=ACCESS_TTL, clock=clock)
    assert await _ended(store, grant.session_id) == (clock.now, "revoked")
    assert await events(store) == ["login", "session_revoked"]
