"""The storage contract: every backend (memory, SQLite, PostgreSQL) behaves the same."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets

import pytest

from gatepass.errors import InvalidKeyError, NotFoundError, UserExistsError
from gatepass.store import (
    Decide,
    RefreshToken,
    Reject,
    Replay,
    RevokeSession,
    Rotate,
    RotationDecision,
    Session,
    SigningKey,
    Store,
    User,
    hash_token,
    validation,
)
from gatepass.store.rotation import Requester

NOW = 1_700_000_000.25
DAY = 86400.0


async def make_user(store: Store, email: str = "alice@example.com") -> User:
    return await store.create_user(email, "$argon2id$hash", now=NOW)


async def make_session(store: Store, user: User, now: float = NOW) -> Session:
    return await store.create_session(
        user.id, now=now, expires_at=now + 30 * DAY, user_agent="pytest", ip="127.0.0.1"
    )


async def make_token(store: Store, session: Session, raw: str | None = None) -> RefreshToken:
    raw = raw or secrets.token_urlsafe(32)
    return await store.add_refresh_token(
        session.id, hash_token(raw), now=NOW, expires_at=NOW + 7 * DAY
    )


# --- users --------------------------------------------------------------------


async def test_create_user_normalises_email_and_sets_defaults(store: Store) -> None:
    user = await store.create_user("  Alice@Example.COM ", "h1", now=NOW)
    assert re.fullmatch(r"[0-9a-f]{32}", user.id)
    assert (user.email, user.password_hash, user.role) == ("alice@example.com", "h1", "user")
    assert (user.disabled, user.created_at) == (False, NOW)
    assert await store.get_user(user.id) == user
    assert await store.get_user_by_email("ALICE@example.com ") == user


async def test_create_user_with_role(store: Store) -> None:
    user = await store.create_user("root@example.com", "h", now=NOW, role="admin")
    fetched = await store.get_user(user.id)
    assert fetched is not None
    assert fetched.role == "admin"


async def test_missing_users_are_none(store: Store) -> None:
    assert await store.get_user("0" * 32) is None
    assert await store.get_user_by_email("nobody@example.com") is None


async def test_keys_no_database_can_hold_find_nothing(store: Store) -> None:
    # PostgreSQL text cannot hold NUL: such a key (a URL path's %00) is simply
    # not found on every backend, never a "database unavailable".
    odd = "a\x00b"
    await make_user(store)
    assert await store.get_user(odd) is None
    assert await store.get_user_by_email("a\x00@example.com") is None
    assert await store.get_session(odd) is None
    assert await store.get_refresh_token(odd) is None
    assert await store.get_refresh_token_by_id(odd) is None
    assert await store.list_active_sessions(odd, now=NOW) == []
    assert await store.revoke_session(odd, now=NOW, reason="x") is False
    await store.touch_session(odd, now=NOW)
    with pytest.raises(NotFoundError):
        await store.update_user(odd, role="admin")


async def test_email_is_unique_whatever_its_case(store: Store) -> None:
    await make_user(store, "bob@example.com")
    with pytest.raises(UserExistsError):
        await store.create_user("BOB@example.com", "other", now=NOW)
    assert len(await store.list_users()) == 1


async def test_update_user_changes_only_given_fields(store: Store) -> None:
    user = await make_user(store)
    updated = await store.update_user(user.id, password_hash="h2")
    assert updated.password_hash == "h2"
    assert (updated.role, updated.disabled, updated.email) == (user.role, False, user.email)
    updated = await store.update_user(user.id, role="admin", disabled=True)
    assert (updated.role, updated.disabled, updated.password_hash) == ("admin", True, "h2")
    assert await store.get_user(user.id) == updated
    assert await store.update_user(user.id) == updated


async def test_update_missing_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.update_user("0" * 32, role="admin")


async def test_list_users_oldest_first_with_paging(store: Store) -> None:
    created = [await store.create_user(f"u{i}@example.com", "h", now=NOW + i) for i in range(5)]
    assert await store.list_users() == created
    assert await store.list_users(limit=2) == created[:2]
    assert await store.list_users(limit=2, offset=3) == created[3:]


# --- sessions -----------------------------------------------------------------


async def test_create_and_get_session(store: Store) -> None:
    user = await make_user(store)
    session = await make_session(store, user)
    # >= 128 random bits, urlsafe: 22+ base64url characters.
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", session.id)
    assert session.user_id == user.id
    assert (session.created_at, session.last_used_at) == (NOW, NOW)
    assert session.expires_at == NOW + 30 * DAY
    assert (session.revoked_at, session.revoked_reason) == (None, None)
    assert (session.user_agent, session.ip) == ("pytest", "127.0.0.1")
    assert await store.get_session(session.id) == session
    assert await store.get_session("missing") is None


async def test_session_ids_differ(store: Store) -> None:
    user = await make_user(store)
    ids = {(await make_session(store, user)).id for _ in range(20)}
    assert len(ids) == 20


async def test_session_for_unknown_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.create_session("0" * 32, now=NOW, expires_at=NOW + DAY)


async def test_touch_session(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    await store.touch_session(session.id, now=NOW + 60)
    fetched = await store.get_session(session.id)
    assert fetched is not None
    assert fetched.last_used_at == NOW + 60
    await store.touch_session("missing", now=NOW)  # ignored


async def test_list_active_sessions(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    old = await make_session(store, alice)
    recent = await make_session(store, alice)
    await store.touch_session(recent.id, now=NOW + 10)
    revoked = await make_session(store, alice)
    await store.revoke_session(revoked.id, now=NOW, reason="logout")
    await store.create_session(alice.id, now=NOW, expires_at=NOW + 5)  # expires
    await make_session(store, bob)
    active = await store.list_active_sessions(alice.id, now=NOW + 20)
    assert [s.id for s in active] == [recent.id, old.id]
    assert await store.list_active_sessions("0" * 32, now=NOW) == []


async def test_list_sessions_of_everyone_or_one_user(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    a_old = await make_session(store, alice)
    b_new = await make_session(store, bob)
    await store.touch_session(b_new.id, now=NOW + 10)
    a_revoked = await make_session(store, alice)
    await store.touch_session(a_revoked.id, now=NOW + 20)
    await store.revoke_session(a_revoked.id, now=NOW + 21, reason="logout")
    a_expiring = await store.create_session(alice.id, now=NOW, expires_at=NOW + 5)
    at = NOW + 30
    assert [s.id for s in await store.list_sessions(now=at)] == [b_new.id, a_old.id]
    everything = await store.list_sessions(now=at, active_only=False)
    assert [s.id for s in everything[:2]] == [a_revoked.id, b_new.id]
    assert sorted(s.id for s in everything[2:]) == sorted([a_old.id, a_expiring.id])
    assert [s.id for s in await store.list_sessions(now=at, user_id=alice.id)] == [a_old.id]
    mine = await store.list_sessions(now=at, user_id=alice.id, active_only=False)
    assert {s.id for s in mine} == {a_old.id, a_revoked.id, a_expiring.id}
    assert await store.list_sessions(now=at, limit=1, offset=1) == [
        s for s in await store.list_sessions(now=at) if s.id == a_old.id
    ]
    assert await store.list_sessions(now=at, user_id="0" * 32) == []
    with pytest.raises(ValueError, match="limit must be at least 1"):
        await store.list_sessions(now=at, limit=0)
    with pytest.raises(ValueError, match="offset must not be negative"):
        await store.list_sessions(now=at, offset=-1)


async def test_revoke_session_reports_whether_it_was_live(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    assert await store.revoke_session(session.id, now=NOW + 1, reason="logout") is True
    fetched = await store.get_session(session.id)
    assert fetched is not None
    assert (fetched.revoked_at, fetched.revoked_reason) == (NOW + 1, "logout")
    assert not fetched.is_live(NOW + 2)
    assert await store.revoke_session(session.id, now=NOW + 2, reason="again") is False
    fetched = await store.get_session(session.id)
    assert fetched is not None
    assert (fetched.revoked_at, fetched.revoked_reason) == (NOW + 1, "logout")
    assert await store.revoke_session("missing", now=NOW, reason="x") is False
    assert await store.live_revocations(now=NOW) == []


async def test_revoke_session_can_denylist_it_atomically(store: Store) -> None:
    session = await make_session(store, await make_user(store))
    until = NOW + 900
    assert await store.revoke_session(session.id, now=NOW, reason="logout", denylist_until=until)
    [entry] = await store.live_revocations(now=NOW)
    assert (entry.kind, entry.subject, entry.not_before) == ("session", session.id, NOW)
    assert (entry.created_at, entry.expires_at) == (NOW, until)
    # Already revoked: no second entry.
    await store.revoke_session(session.id, now=NOW, reason="logout", denylist_until=until)
    assert len(await store.live_revocations(now=NOW)) == 1


async def test_revoke_user_sessions(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    a1, a2, a3 = [await make_session(store, alice) for _ in range(3)]
    b1 = await make_session(store, bob)
    await store.revoke_session(a3.id, now=NOW, reason="logout")
    revoked = await store.revoke_user_sessions(alice.id, now=NOW + 5, reason="logout_all")
    assert sorted(revoked) == sorted([a1.id, a2.id])
    assert await store.list_active_sessions(alice.id, now=NOW + 6) == []
    fetched = await store.get_session(a1.id)
    assert fetched is not None
    assert (fetched.revoked_at, fetched.revoked_reason) == (NOW + 5, "logout_all")
    fetched = await store.get_session(a3.id)
    assert fetched is not None
    assert fetched.revoked_reason == "logout"
    assert [s.id for s in await store.list_active_sessions(bob.id, now=NOW)] == [b1.id]
    assert await store.revoke_user_sessions(alice.id, now=NOW, reason="x") == []


# --- refresh tokens -----------------------------------------------------------


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

WHO = Requester(ip="203.0.113.7", user_agent="pytest")
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


async def test_start_session_makes_session_token_and_login_row_together(store: Store) -> None:
    user = await make_user(store)
    session, token = await store.start_session(
        user.id,
        hash_token("first"),
        now=NOW,
        expires_at=NOW + 30 * DAY,
        refresh_expires_at=NOW + 7 * DAY,
        user_agent="pytest",
        ip="203.0.113.7",
    )
    assert await store.get_session(session.id) == session
    assert (session.user_id, session.expires_at, session.ip) == (user.id, NOW + 30 * DAY, WHO.ip)
    assert await store.get_refresh_token(hash_token("first")) == token
    assert (token.session_id, token.expires_at, token.spent_at) == (session.id, NOW + 7 * DAY, None)
    [event] = await store.list_audit_events()
    assert (event.event, event.user_id, event.session_id, event.ip, event.user_agent) == (
        "login",
        user.id,
        session.id,
        "203.0.113.7",
        "pytest",
    )


async def test_a_failing_start_session_leaves_nothing(store: Store) -> None:
    user = await make_user(store)
    taken = await make_token(store, await make_session(store, user), raw="taken")
    with pytest.raises(ValueError, match="duplicate"):
        await store.start_session(
            user.id, taken.token_hash, now=NOW + 1, expires_at=NOW + DAY, refresh_expires_at=NOW + 9
        )
    with pytest.raises(NotFoundError):
        await store.start_session(
            "missing",
            hash_token("x"),
            now=NOW + 1,
            expires_at=NOW + DAY,
            refresh_expires_at=NOW + 9,
        )
    assert len(await store.list_sessions(now=NOW + 1)) == 1
    assert await store.get_refresh_token(hash_token("x")) is None
    assert await store.list_audit_events() == []


# --- revocations --------------------------------------------------------------


async def test_revocation_feed(store: Store) -> None:
    entries = [
        await store.add_revocation(
            "jti", f"j{i}", not_before=NOW, now=NOW + i, expires_at=NOW + 100 + i
        )
        for i in range(5)
    ]
    seqs = [e.seq for e in entries]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 5
    assert entries[0].subject == "j0"
    assert (entries[2].created_at, entries[2].expires_at) == (NOW + 2, NOW + 102)
    assert await store.revocations_since(0) == entries
    assert await store.revocations_since(seqs[1]) == entries[2:]
    assert await store.revocations_since(seqs[1], limit=2) == entries[2:4]
    assert await store.revocations_since(seqs[-1]) == []


async def test_lists_are_paged(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_PAGE", 3)
    for i in range(5):
        await store.add_revocation("jti", f"j{i}", not_before=NOW, now=NOW, expires_at=NOW + 9)
        await store.create_user(f"u{i}@example.com", "h", now=NOW + i)
        await store.add_audit_event("login", at=NOW + i)
    feed = await store.revocations_since(0, limit=10_000)
    assert [r.subject for r in feed] == ["j0", "j1", "j2"]
    assert [r.subject for r in await store.revocations_since(feed[-1].seq)] == ["j3", "j4"]
    users = await store.list_users(limit=10_000, offset=1)
    assert [u.email for u in users] == ["u1@example.com", "u2@example.com", "u3@example.com"]
    assert len(await store.list_audit_events(limit=10_000)) == 3
    with pytest.raises(ValueError, match="limit must be at least 1"):
        await store.revocations_since(0, limit=0)
    with pytest.raises(ValueError, match="limit must be at least 1"):
        await store.list_users(limit=0)
    with pytest.raises(ValueError, match="offset must not be negative"):
        await store.list_users(offset=-1)
    with pytest.raises(ValueError, match="limit must be at least 1"):
        await store.list_audit_events(limit=-5)


async def test_revocation_kinds(store: Store) -> None:
    user = await store.add_revocation("user", "u1", not_before=NOW, now=NOW, expires_at=NOW + 9)
    session = await store.add_revocation(
        "session", "s1", not_before=NOW, now=NOW, expires_at=NOW + 9
    )
    assert (user.kind, session.kind) == ("user", "session")
    with pytest.raises(ValueError, match="revocation kind"):
        await store.add_revocation("bogus", "x", not_before=NOW, now=NOW, expires_at=NOW + 1)  # type: ignore[arg-type]


async def test_live_revocations_and_purge(store: Store) -> None:
    dead = await store.add_revocation("jti", "a", not_before=NOW, now=NOW, expires_at=NOW + 10)
    live = await store.add_revocation("jti", "b", not_before=NOW, now=NOW, expires_at=NOW + 100)
    assert await store.live_revocations(now=NOW) == [dead, live]
    assert await store.live_revocations(now=NOW + 10) == [live]
    assert await store.purge_revocations(now=NOW + 10) == 1
    assert await store.revocations_since(0) == [live]
    assert await store.purge_revocations(now=NOW + 10) == 0
    later = await store.add_revocation("jti", "c", not_before=NOW, now=NOW, expires_at=NOW + 200)
    assert later.seq > live.seq  # the cursor never goes back


# --- signing keys -------------------------------------------------------------


def signing_key(kid: str, created_at: float, status: str = "active") -> SigningKey:
    return SigningKey(
        kid=kid,
        alg="EdDSA",
        private_jwk='{"kty":"OKP","d":"private-part"}',
        public_jwk='{"kty":"OKP","x":"public-part"}',
        status=status,  # type: ignore[arg-type]
        created_at=created_at,
    )


async def test_signing_keys(store: Store) -> None:
    k2 = signing_key("k2", NOW + 1)
    k1 = signing_key("k1", NOW, "retiring")
    await store.add_signing_key(k2)
    await store.add_signing_key(k1)
    assert await store.list_signing_keys() == [k1, k2]
    assert await store.list_signing_keys(statuses=["active"]) == [k2]
    assert await store.list_signing_keys(statuses=["active", "retiring"]) == [k1, k2]
    assert await store.list_signing_keys(statuses=[]) == []
    with pytest.raises(InvalidKeyError):
        await store.add_signing_key(signing_key("k1", NOW))


async def test_set_signing_key_status(store: Store) -> None:
    await store.add_signing_key(signing_key("k1", NOW))
    retiring = await store.set_signing_key_status("k1", "retiring", retire_at=NOW + 900)
    assert (retiring.status, retiring.retire_at) == ("retiring", NOW + 900)
    retired = await store.set_signing_key_status("k1", "retired")
    assert (retired.status, retired.retire_at) == ("retired", NOW + 900)
    assert await store.list_signing_keys() == [retired]
    with pytest.raises(NotFoundError):
        await store.set_signing_key_status("missing", "retired")
    with pytest.raises(ValueError, match="status"):
        await store.set_signing_key_status("k1", "lost")  # type: ignore[arg-type]


async def test_replace_private_jwk_is_a_compare_and_set(store: Store) -> None:
    plain = signing_key("k1", NOW)
    await store.add_signing_key(plain)
    await store.add_signing_key(signing_key("k2", NOW + 1))
    assert await store.replace_private_jwk("k1", expected=plain.private_jwk, private_jwk="enc:a")
    # A second writer that read the plain value loses: its value is not stored.
    assert not await store.replace_private_jwk(
        "k1", expected=plain.private_jwk, private_jwk="enc:b"
    )
    assert not await store.replace_private_jwk("missing", expected="x", private_jwk="enc:c")
    k1, k2 = await store.list_signing_keys()
    assert k1 == dataclasses.replace(plain, private_jwk="enc:a")
    assert k2.private_jwk == plain.private_jwk  # the other row is untouched


# --- audit --------------------------------------------------------------------


async def test_audit_events(store: Store) -> None:
    first = await store.add_audit_event(
        "login_failed", at=NOW, ip="10.0.0.1", user_agent="ua", detail={"reason": "password"}
    )
    second = await store.add_audit_event(
        "login", at=NOW + 1, user_id="u1", session_id="s1", detail={"n": 2, "ok": True}
    )
    third = await store.add_audit_event("logout", at=NOW + 2, user_id="u1")
    assert first.id < second.id < third.id
    assert (first.event, first.at, first.ip, first.user_agent) == (
        "login_failed",
        NOW,
        "10.0.0.1",
        "ua",
    )
    assert dict(second.detail) == {"n": 2, "ok": True}
    assert dict(third.detail) == {}
    assert await store.list_audit_events() == [third, second, first]
    assert await store.list_audit_events(limit=1) == [third]
    assert await store.list_audit_events(user_id="u1") == [third, second]


async def test_audit_detail_must_be_json(store: Store) -> None:
    with pytest.raises(TypeError):
        await store.add_audit_event("x", at=NOW, detail={"bad": object()})


# --- lifecycle ----------------------------------------------------------------


async def test_health_and_idempotent_migrate(store: Store) -> None:
    await store.health()
    user = await make_user(store)
    await store.migrate()
    assert await store.get_user(user.id) == user
