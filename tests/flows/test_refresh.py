"""The refresh flow on a clock moved by hand: rotation, the grace window, reuse, expiry."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidTokenError, RefreshTokenReuseError
from gatepass.flows import TokenGrant, refresh
from gatepass.store.protocols import Store
from gatepass.store.records import hash_token
from tests.clock import Clock
from tests.flows.conftest import (
    ACCESS_TTL,
    GRACE,
    ISSUER,
    POLICY,
    REFRESH_TTL,
    WHO,
    events,
    logged_in,
)


async def _refresh(store: Store, clock: Clock, presented: str) -> TokenGrant:
    return await refresh(store, POLICY, ISSUER, presented=presented, requester=WHO, clock=clock)


async def test_a_refresh_rotates_to_a_new_token(store: Store, clock: Clock) -> None:
    first = await logged_in(store, clock)
    clock.now += 60
    second = await _refresh(store, clock, first.refresh_token)
    assert second.session_id == first.session_id
    assert second.refresh_token != first.refresh_token
    spent = await store.get_refresh_token(hash_token(first.refresh_token))
    successor = await store.get_refresh_token(hash_token(second.refresh_token))
    assert spent is not None
    assert successor is not None
    assert spent.spent_at == clock.now
    assert second.rotation is not None
    assert (second.rotation.refresh_id, second.rotation.previous_refresh_id) == (
        successor.id,
        spent.id,
    )
    assert successor.expires_at == clock.now + REFRESH_TTL
    assert await events(store) == ["login", "refresh"]


async def test_a_retry_inside_the_grace_window_gets_the_same_successor(
    store: Store, clock: Clock
) -> None:
    first = await logged_in(store, clock)
    second = await _refresh(store, clock, first.refresh_token)
    clock.now += GRACE
    retry = await _refresh(store, clock, first.refresh_token)
    assert retry.refresh_token == second.refresh_token
    assert retry.rotation == second.rotation  # the same successor, reported again
    session = await store.get_session(first.session_id)
    assert session is not None
    assert session.revoked_at is None


async def test_reuse_after_the_grace_window_revokes_the_session(store: Store, clock: Clock) -> None:
    first = await logged_in(store, clock)
    second = await _refresh(store, clock, first.refresh_token)
    clock.now += GRACE + 1
    with pytest.raises(RefreshTokenReuseError):
        await _refresh(store, clock, first.refresh_token)
    session = await store.get_session(first.session_id)
    assert session is not None
    assert (session.revoked_at, session.revoked_reason) == (clock.now, "refresh_token_reused")
    [denied] = await store.live_revocations(now=clock.now)
    assert (denied.kind, denied.subject) == ("session", first.session_id)
    assert denied.expires_at == clock.now + ACCESS_TTL
    reused = [e for e in await store.list_audit_events() if e.event == "refresh_token_reused"]
    assert [(e.session_id, e.ip, e.at) for e in reused] == [(first.session_id, WHO.ip, clock.now)]
    with pytest.raises(InvalidTokenError):  # the successor died with its session
        await _refresh(store, clock, second.refresh_token)


async def test_an_expired_refresh_token_is_refused(store: Store, clock: Clock) -> None:
    first = await logged_in(store, clock)
    clock.now += REFRESH_TTL
    with pytest.raises(InvalidTokenError):
        await _refresh(store, clock, first.refresh_token)
    assert await events(store) == ["login"]


async def test_an_unknown_token_is_refused(store: Store, clock: Clock) -> None:
    await logged_in(store, clock)
    with pytest.raises(InvalidTokenError):
        await _refresh(store, clock, "never-issued")


async def test_a_disabled_user_gets_no_new_tokens(store: Store, clock: Clock) -> None:
    first = await logged_in(store, clock)
    session = await store.get_session(first.session_id)
    assert session is not None
    await store.update_user(session.user_id, disabled=True)
    with pytest.raises(InvalidTokenError):
        await _refresh(store, clock, first.refresh_token)
