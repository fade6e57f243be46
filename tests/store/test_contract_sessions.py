"""The SessionStore contract, on every backend: sessions, and a login in one transaction."""

from __future__ import annotations

import re

import pytest

from gatepass.errors import NotFoundError
from gatepass.store import Store, hash_token
from gatepass.store.rotation import Rotate
from tests.store.contract import DAY, NOW, WHO, make_session, make_token, make_user


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


async def test_a_session_keeps_how_its_login_went(store: Store) -> None:
    user = await make_user(store)
    session, _ = await store.start_session(
        user.id,
        hash_token("mfa"),
        now=NOW,
        expires_at=NOW + DAY,
        refresh_expires_at=NOW + DAY,
        amr=("pwd", "otp", "mfa"),
    )
    assert session.amr == ("pwd", "otp", "mfa")
    found = await store.get_session(session.id)
    assert found is not None
    assert found.amr == ("pwd", "otp", "mfa")
    plain = await make_session(store, user)
    found = await store.get_session(plain.id)
    assert found is not None
    assert found.amr == ()


async def test_reauthenticate_session_moves_auth_time_and_amr(store: Store) -> None:
    user = await make_user(store)
    session = await make_session(store, user)
    assert (session.reauthenticated_at, session.auth_time) == (None, NOW)
    again = await store.reauthenticate_session(session.id, now=NOW + 700, amr=("pwd", "otp"))
    assert again is not None
    assert (again.reauthenticated_at, again.auth_time, again.amr) == (
        NOW + 700,
        NOW + 700,
        ("pwd", "otp"),
    )
    assert await store.get_session(session.id) == again
    token = await make_token(store, again, raw="after")
    result = await store.rotate_refresh(
        token.token_hash,
        NOW + 800,
        lambda t, s, now: Rotate(token_hash=hash_token("next"), expires_at=NOW + DAY, sealed=b"x"),
    )
    assert result.session is not None
    assert result.session.auth_time == NOW + 700  # a refresh's tokens carry it


async def test_reauthenticate_session_refuses_dead_sessions(store: Store) -> None:
    user = await make_user(store)
    revoked = await make_session(store, user)
    await store.revoke_session(revoked.id, now=NOW + 1, reason="logout")
    expired = await make_session(store, user)
    for session_id, now in ((revoked.id, NOW + 2), (expired.id, NOW + 31 * DAY), ("missing", NOW)):
        assert await store.reauthenticate_session(session_id, now=now, amr=("pwd",)) is None
    found = await store.get_session(revoked.id)
    assert found is not None
    assert found.reauthenticated_at is None


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
