"""The TokenStore contract, on every backend: refresh tokens, rotation in one transaction."""

from __future__ import annotations

import asyncio
import re
import secrets

import pytest

from gatepass.errors import NotFoundError
from gatepass.store import (
    Decide,
    RefreshToken,
    Reject,
    Replay,
    RevokeSession,
    Rotate,
    RotationDecision,
    Session,
    Store,
    hash_token,
)
from gatepass.store.rotation import Requester
from tests.store.contract import DAY, NOW, WHO, make_session, make_token, make_user


async def test_add_and_get_refresh_token(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    raw = secrets.token_urlsafe(32)
    token = await make_token(store, session, raw)
    assert re.fullmatch(r"[0-9a-f]{32}", token.id)
    assert token.token_hash == hash_token(raw) != raw
    assert (token.session_id, token.created_at, token.expires_at) == (
        session.id,
        NOW,
        NOW + 7 * DAY,
    )
    assert (token.spent_at, token.successor_id, token.successor_sealed) == (None, None, None)
    assert await store.get_refresh_token(token.token_hash) == token
    assert await store.get_refresh_token(hash_token("unknown")) is None
    assert await store.get_refresh_token_by_id(token.id) == token
    assert await store.get_refresh_token_by_id("0" * 32) is None
    assert await store.get_refresh_token_by_id(token.token_hash) is None


async def test_get_refresh_token_by_id_sees_rotation(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    result = await store.rotate_refresh(
        token.token_hash, NOW + 5, lambda t, s, now: rotate_to(hash_token("next"))
    )
    assert result.successor is not None
    spent = await store.get_refresh_token_by_id(token.id)
    assert spent is not None
    assert (spent.spent_at, spent.successor_id) == (NOW + 5, result.successor.id)
    assert spent == await store.get_refresh_token(token.token_hash)
    assert await store.get_refresh_token_by_id(result.successor.id) == result.successor


async def test_refresh_token_for_unknown_session_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.add_refresh_token("missing", hash_token("x"), now=NOW, expires_at=NOW + 1)


def rotate_to(successor_hash: str, sealed: bytes = b"sealed-successor") -> Rotate:
    return Rotate(token_hash=successor_hash, expires_at=NOW + 8 * DAY, sealed=sealed)


async def test_rotate_spends_inserts_successor_and_touches_session(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    seen: list[tuple[RefreshToken | None, Session | None, float]] = []

    def decide(t: RefreshToken | None, s: Session | None, now: float) -> RotationDecision:
        seen.append((t, s, now))
        return rotate_to(hash_token("next"))

    result = await store.rotate_refresh(token.token_hash, NOW + 30, decide)
    assert seen == [(token, session, NOW + 30)]
    assert isinstance(result.decision, Rotate)
    successor = result.successor
    assert successor is not None
    assert (successor.token_hash, successor.session_id) == (hash_token("next"), session.id)
    assert (successor.created_at, successor.expires_at) == (NOW + 30, NOW + 8 * DAY)
    assert successor.spent_at is None
    assert result.sealed == b"sealed-successor"
    spent = await store.get_refresh_token(token.token_hash)
    assert spent is not None
    assert (spent.spent_at, spent.successor_id) == (NOW + 30, successor.id)
    assert spent.successor_sealed == b"sealed-successor"
    assert result.token == spent
    assert await store.get_refresh_token(successor.token_hash) == successor
    fetched = await store.get_session(session.id)
    assert fetched is not None
    assert fetched.last_used_at == NOW + 30
    assert result.session == fetched


async def test_replay_returns_the_existing_successor(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    first = await store.rotate_refresh(
        token.token_hash, NOW + 1, lambda t, s, n: rotate_to(hash_token("next"))
    )
    seen: list[RefreshToken | None] = []

    def decide(t: RefreshToken | None, s: Session | None, now: float) -> RotationDecision:
        seen.append(t)
        return Replay()

    again = await store.rotate_refresh(token.token_hash, NOW + 2, decide)
    assert seen[0] is not None
    assert seen[0].spent_at == NOW + 1
    assert again.successor == first.successor
    assert again.sealed == b"sealed-successor"
    fetched = await store.get_session(session.id)
    assert fetched is not None
    assert fetched.last_used_at == NOW + 1  # a replay changes nothing


async def test_reuse_revokes_the_session_and_can_denylist_it(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    decision = RevokeSession(reason="refresh_token_reused", denylist_until=NOW + 900)
    result = await store.rotate_refresh(token.token_hash, NOW + 5, lambda t, s, n: decision)
    assert result.decision == decision
    assert result.successor is None
    assert result.session is not None
    assert (result.session.revoked_at, result.session.revoked_reason) == (
        NOW + 5,
        "refresh_token_reused",
    )
    assert await store.get_session(session.id) == result.session
    [entry] = await store.live_revocations(now=NOW + 5)
    assert (entry.kind, entry.subject, entry.expires_at) == ("session", session.id, NOW + 900)


async def test_reject_changes_nothing(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    result = await store.rotate_refresh(token.token_hash, NOW + 5, lambda t, s, n: Reject("x"))
    assert result.decision == Reject("x")
    assert (result.token, result.session, result.successor) == (token, session, None)
    assert await store.get_refresh_token(token.token_hash) == token
    assert await store.get_session(session.id) == session


async def test_rotate_unknown_token_asks_decide_with_nothing(store: Store) -> None:
    seen: list[tuple[RefreshToken | None, Session | None]] = []

    def decide(t: RefreshToken | None, s: Session | None, now: float) -> RotationDecision:
        seen.append((t, s))
        return Reject("unknown")

    result = await store.rotate_refresh(hash_token("nope"), NOW, decide)
    assert seen == [(None, None)]
    assert (result.token, result.session, result.successor) == (None, None, None)


def grace_rule(grace: float) -> Decide:
    """The rotation rule of the auth server in miniature (fresh hash per call)."""

    def decide(t: RefreshToken | None, s: Session | None, now: float) -> RotationDecision:
        if t is None or s is None or not s.is_live(now):
            return Reject("invalid")
        if t.spent_at is None:
            return rotate_to(hash_token(secrets.token_urlsafe(32)), secrets.token_bytes(48))
        if now - t.spent_at < grace:
            return Replay()
        return RevokeSession(denylist_until=now + 900)

    return decide


async def test_concurrent_rotations_in_grace_yield_one_successor(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    decide = grace_rule(grace=10)
    results = await asyncio.gather(
        *(store.rotate_refresh(token.token_hash, NOW + 1, decide) for _ in range(10))
    )
    kinds = sorted(type(r.decision).__name__ for r in results)
    assert kinds == ["Replay"] * 9 + ["Rotate"]
    successors = {r.successor.id for r in results if r.successor is not None}
    sealed = {r.sealed for r in results}
    assert len(successors) == 1
    assert len(sealed) == 1
    assert None not in sealed
    fetched = await store.get_session(session.id)
    assert fetched is not None
    assert fetched.is_live(NOW + 2)


async def test_concurrent_rotations_without_grace_revoke_the_session(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    decide = grace_rule(grace=0)
    results = await asyncio.gather(
        *(store.rotate_refresh(token.token_hash, NOW + 1, decide) for _ in range(10))
    )
    rotated = [r for r in results if isinstance(r.decision, Rotate)]
    assert len(rotated) == 1
    assert all(isinstance(r.decision, RevokeSession | Reject) for r in results if r not in rotated)
    fetched = await store.get_session(session.id)
    assert fetched is not None
    assert fetched.revoked_reason == "refresh_token_reused"
    spent = await store.get_refresh_token(token.token_hash)
    assert spent is not None
    assert rotated[0].successor is not None
    assert spent.successor_id == rotated[0].successor.id


# --- one refresh, one transaction ---------------------------------------------------


UNWRITABLE = Requester(ip="203.0.113.7", detail={"bad": object()})  # its audit row fails


async def test_rotate_reads_the_user_and_writes_the_audit_row_with_it(store: Store) -> None:
    user = await make_user(store)
    session = await make_session(store, user)
    token = await make_token(store, session)
    result = await store.rotate_refresh(
        token.token_hash, NOW + 30, lambda t, s, n: rotate_to(hash_token("next")), audit=WHO
    )
    assert isinstance(result.decision, Rotate)
    assert result.user == user
    [event] = await store.list_audit_events()
    assert (event.event, event.at, event.user_id, event.session_id) == (
        "refresh",
        NOW + 30,
        user.id,
        session.id,
    )
    assert (event.ip, event.user_agent, dict(event.detail)) == ("203.0.113.7", "pytest", {})


async def test_reuse_is_audited_and_a_reject_is_not(store: Store) -> None:
    user = await make_user(store)
    session = await make_session(store, user)
    token = await make_token(store, session)
    rejected = await store.rotate_refresh(
        token.token_hash, NOW + 1, lambda t, s, n: Reject("x"), audit=WHO
    )
    assert rejected.decision == Reject("x")
    assert await store.list_audit_events() == []
    reuse = RevokeSession(denylist_until=NOW + 900)
    await store.rotate_refresh(token.token_hash, NOW + 2, lambda t, s, n: reuse, audit=WHO)
    [event] = await store.list_audit_events()
    assert (event.event, event.user_id, event.session_id) == (
        "refresh_token_reused",
        user.id,
        session.id,
    )


async def test_a_disabled_account_is_rotated_to_nothing(store: Store) -> None:
    user = await make_user(store)
    session = await make_session(store, user)
    token = await make_token(store, session)
    await store.update_user(user.id, disabled=True)
    result = await store.rotate_refresh(
        token.token_hash, NOW + 1, lambda t, s, n: rotate_to(hash_token("next")), audit=WHO
    )
    assert result.decision == Reject("account_disabled")
    assert result.successor is None
    assert await store.get_refresh_token(token.token_hash) == token
    assert await store.get_refresh_token(hash_token("next")) is None
    assert await store.list_audit_events() == []


@pytest.mark.parametrize(
    "decision",
    [rotate_to(hash_token("next")), RevokeSession(denylist_until=NOW + 900)],
    ids=["rotate", "reuse"],
)
async def test_a_failing_audit_row_undoes_the_whole_refresh(
    store: Store, decision: RotationDecision
) -> None:
    session = await make_session(store, await make_user(store))
    token = await make_token(store, session)
    with pytest.raises(TypeError):
        await store.rotate_refresh(
            token.token_hash, NOW + 30, lambda t, s, n: decision, audit=UNWRITABLE
        )
    # Nothing happened: the old token is live and unspent, so a retry rotates it.
    assert await store.get_refresh_token(token.token_hash) == token
    assert await store.get_refresh_token(hash_token("next")) is None
    assert await store.get_session(session.id) == session
    assert await store.live_revocations(now=NOW + 30) == []
    assert await store.list_audit_events() == []
    retry = await store.rotate_refresh(
        token.token_hash, NOW + 60, lambda t, s, n: rotate_to(hash_token("next")), audit=WHO
    )
    assert isinstance(retry.decision, Rotate)
    assert [e.event for e in await store.list_audit_events()] == ["refresh"]
