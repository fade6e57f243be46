"""The console's replay flow: only one's own spent tokens; grace, then reuse audited once."""

from __future__ import annotations

import pytest

from gatepass.errors import ForbiddenError, NotFoundError
from gatepass.flows import GraceReplay, ReplayOutcome, ReuseDetected, TokenGrant, refresh, replay
from gatepass.store.protocols import Store
from gatepass.store.records import hash_token
from tests.clock import Clock
from tests.flows.conftest import ACCESS_TTL, GRACE, ISSUER, POLICY, WHO, events, logged_in


async def _spent(store: Store, clock: Clock) -> tuple[TokenGrant, str, str]:
    """A session whose first refresh token was spent at ``clock.now``: (grant, user, token id)."""
    first = await logged_in(store, clock)
    await refresh(store, POLICY, ISSUER, presented=first.refresh_token, requester=WHO, clock=clock)
    token = await store.get_refresh_token(hash_token(first.refresh_token))
    session = await store.get_session(first.session_id)
    assert token is not None
    assert session is not None
    return first, session.user_id, token.id


async def _replay(
    store: Store, clock: Clock, grant: TokenGrant, refresh_id: str, **session: str
) -> ReplayOutcome:
    return await replay(
        store,
        POLICY,
        refresh_id=refresh_id,
        session_id=session.get("session_id", grant.session_id),
        requester=WHO,
        clock=clock,
    )


async def test_inside_the_grace_window_nothing_happens(store: Store, clock: Clock) -> None:
    grant, _user_id, token_id = await _spent(store, clock)
    clock.now += 3.5
    outcome = await _replay(store, clock, grant, token_id)
    assert outcome == GraceReplay(token_id, retry_after=GRACE - 3)
    session = await store.get_session(grant.session_id)
    assert session is not None
    assert session.revoked_at is None
    assert await events(store) == ["login", "refresh"]


async def test_after_the_grace_window_the_session_is_revoked_and_audited_once(
    store: Store, clock: Clock
) -> None:
    grant, user_id, token_id = await _spent(store, clock)
    clock.now += GRACE + 1
    outcome = await _replay(store, clock, grant, token_id)
    assert outcome == ReuseDetected(token_id, grant.session_id)
    session = await store.get_session(grant.session_id)
    assert session is not None
    assert session.revoked_at == clock.now
    [denied] = await store.live_revocations(now=clock.now)
    assert (denied.subject, denied.expires_at) == (grant.session_id, clock.now + ACCESS_TTL)
    assert await events(store) == ["login", "refresh", "refresh_token_reused"]
    reused = (await store.list_audit_events())[0]
    assert (reused.user_id, reused.session_id, reused.ip, reused.user_agent) == (
        user_id,
        grant.session_id,
        WHO.ip,
        WHO.user_agent,
    )
    assert dict(reused.detail) == {"via": "console_replay", "refresh_id": token_id}


async def test_an_unspent_token_is_not_replayed(store: Store, clock: Clock) -> None:
    grant, _user_id, token_id = await _spent(store, clock)
    spent = await store.get_refresh_token_by_id(token_id)
    assert spent is not None
    assert spent.successor_id is not None
    with pytest.raises(ForbiddenError):  # the successor, live and unspent
        await _replay(store, clock, grant, spent.successor_id)


async def test_another_sessions_token_is_not_found(store: Store, clock: Clock) -> None:
    grant, user_id, token_id = await _spent(store, clock)
    other = await store.create_session(user_id, now=clock.now, expires_at=clock.now + 60)
    with pytest.raises(NotFoundError):
        await _replay(store, clock, grant, token_id, session_id=other.id)
    with pytest.raises(NotFoundError):
        await _replay(store, clock, grant, "0" * 32)
