"""Refresh rotation rule, exercised through the real (memory) store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from gatepass.errors import InvalidTokenError
from gatepass.store import open_store
from gatepass.store.protocols import Store
from gatepass.store.records import Session, hash_token
from gatepass.store.rotation import Reject, Replay, Requester, RevokeSession, Rotate
from gatepass.tokens.refresh import (
    RotationPolicy,
    new_refresh_token,
    seal_successor,
    unseal_successor,
)

POLICY = RotationPolicy(refresh_ttl=7 * 86400, grace=10, access_ttl=900)
T0 = 1_800_000_000.0


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = open_store("memory://")
    await opened.migrate()
    yield opened
    await opened.close()


async def _session_with_token(store: Store, raw: str) -> Session:
    user = await store.create_user("ada@example.com", "hash", now=T0)
    session = await store.create_session(user.id, now=T0, expires_at=T0 + 30 * 86400)
    await store.add_refresh_token(session.id, hash_token(raw), now=T0, expires_at=T0 + 7 * 86400)
    return session


def test_new_refresh_token_has_256_bits() -> None:
    tokens = {new_refresh_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) == 43 for t in tokens)


def test_sealed_successor_opens_only_with_the_presented_token() -> None:
    presented, successor = new_refresh_token(), new_refresh_token()
    sealed = seal_successor(presented, successor)
    assert successor.encode() not in sealed
    assert unseal_successor(presented, sealed) == successor
    with pytest.raises(InvalidTokenError):
        unseal_successor(new_refresh_token(), sealed)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(InvalidTokenError):
        unseal_successor(presented, tampered)


async def test_rotate_then_replay_within_grace_then_reuse_revokes(store: Store) -> None:
    raw = new_refresh_token()
    session = await _session_with_token(store, raw)

    first_successor = new_refresh_token()
    rotated = await store.rotate_refresh(
        hash_token(raw), T0 + 60, POLICY.rule(raw, first_successor)
    )
    assert isinstance(rotated.decision, Rotate)
    assert rotated.successor is not None
    assert rotated.successor.token_hash == hash_token(first_successor)

    # A retry 5 s later (another tab) gets the SAME successor back.
    retry = await store.rotate_refresh(
        hash_token(raw), T0 + 65, POLICY.rule(raw, new_refresh_token())
    )
    assert isinstance(retry.decision, Replay)
    assert retry.sealed is not None
    assert unseal_successor(raw, retry.sealed) == first_successor

    # The same spent token an hour later: theft. The session dies.
    reuse = await store.rotate_refresh(
        hash_token(raw), T0 + 3660, POLICY.rule(raw, new_refresh_token())
    )
    assert isinstance(reuse.decision, RevokeSession)
    assert reuse.decision.denylist_until == T0 + 3660 + 900
    after = await store.get_session(session.id)
    assert after is not None
    assert after.revoked_at is not None

    # And the successor is now worthless too.
    dead = await store.rotate_refresh(
        hash_token(first_successor), T0 + 3670, POLICY.rule(first_successor, new_refresh_token())
    )
    assert isinstance(dead.decision, Reject)


async def test_zero_grace_treats_any_reuse_as_theft(store: Store) -> None:
    raw = new_refresh_token()
    await _session_with_token(store, raw)
    strict = RotationPolicy(refresh_ttl=3600, grace=0, access_ttl=900)
    await store.rotate_refresh(hash_token(raw), T0 + 1, strict.rule(raw, new_refresh_token()))
    again = await store.rotate_refresh(
        hash_token(raw), T0 + 2, strict.rule(raw, new_refresh_token())
    )
    assert isinstance(again.decision, RevokeSession)


async def test_ten_concurrent_refreshes_make_one_successor(store: Store) -> None:
    raw = new_refresh_token()
    session = await _session_with_token(store, raw)
    now = T0 + 30
    results = await asyncio.gather(
        *(
            store.rotate_refresh(hash_token(raw), now, POLICY.rule(raw, new_refresh_token()))
            for _ in range(10)
        )
    )
    assert sum(isinstance(r.decision, Rotate) for r in results) == 1
    assert sum(isinstance(r.decision, Replay) for r in results) == 9
    successors = {unseal_successor(raw, r.sealed) for r in results if r.sealed is not None}
    assert len(successors) == 1
    alive = await store.get_session(session.id)
    assert alive is not None
    assert alive.revoked_at is None


@pytest.mark.parametrize(
    ("when", "reason"),
    [(T0 + 8 * 86400, "expired"), (T0 + 31 * 86400, "session_ended")],
)
async def test_expired_token_or_session_is_rejected(store: Store, when: float, reason: str) -> None:
    raw = new_refresh_token()
    await _session_with_token(store, raw)
    result = await store.rotate_refresh(
        hash_token(raw), when, POLICY.rule(raw, new_refresh_token())
    )
    assert result.decision == Reject(reason)


async def test_unknown_token_is_rejected(store: Store) -> None:
    raw = new_refresh_token()
    result = await store.rotate_refresh(hash_token(raw), time.time(), POLICY.rule(raw, raw))
    assert result.decision == Reject("unknown")


async def test_successor_never_outlives_the_session(store: Store) -> None:
    raw = new_refresh_token()
    session = await _session_with_token(store, raw)
    late = session.expires_at - 3600
    # Keep the presented token valid at that time by giving it a long life.
    long_lived = new_refresh_token()
    await store.add_refresh_token(session.id, hash_token(long_lived), now=T0, expires_at=late + 10)
    result = await store.rotate_refresh(
        hash_token(long_lived), late, POLICY.rule(long_lived, new_refresh_token())
    )
    assert isinstance(result.decision, Rotate)
    assert result.decision.expires_at == session.expires_at


async def test_replay_rule_never_rotates_and_decides_spent_tokens_like_rule(store: Store) -> None:
    raw = new_refresh_token()
    session = await _session_with_token(store, raw)
    token = await store.get_refresh_token(hash_token(raw))
    assert token is not None

    # Unspent: refused, and nothing changes.
    unspent = await store.rotate_refresh(token.token_hash, T0 + 1, POLICY.replay_rule())
    assert unspent.decision == Reject("not_spent")
    assert await store.get_refresh_token(token.token_hash) == token

    await store.rotate_refresh(token.token_hash, T0 + 60, POLICY.rule(raw, new_refresh_token()))
    # Spent, within the grace window: where `rule` would answer Replay, nothing is
    # delivered, so nothing changes and nothing is audited.
    audited = len(await store.list_audit_events())
    inside = await store.rotate_refresh(
        token.token_hash, T0 + 65, POLICY.replay_rule(), audit=Requester("192.0.2.1")
    )
    assert inside.decision == Reject("in_grace")
    assert len(await store.list_audit_events()) == audited
    live = await store.get_session(session.id)
    assert live is not None
    assert live.revoked_at is None

    # Spent, after the window: reuse, the session is revoked and denylisted.
    after = await store.rotate_refresh(token.token_hash, T0 + 71, POLICY.replay_rule())
    assert after.decision == RevokeSession(denylist_until=T0 + 71 + 900)
    revoked = await store.get_session(session.id)
    assert revoked is not None
    assert revoked.revoked_reason == "refresh_token_reused"

    # A dead session or an unknown token is rejected like `rule` does.
    again = await store.rotate_refresh(token.token_hash, T0 + 72, POLICY.replay_rule())
    assert again.decision == Reject("session_ended")
    unknown = await store.rotate_refresh(hash_token("nope"), T0 + 72, POLICY.replay_rule())
    assert unknown.decision == Reject("unknown")
