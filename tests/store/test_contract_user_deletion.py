"""``UserStore.delete_user`` on every backend: the user and what is personal about them go.

What hangs on a user: sessions and their refresh tokens, account tokens, audit
rows (kept, scrubbed) and mails to their address (sent or failed ones go)."""

from __future__ import annotations

import asyncio
import dataclasses

from gatepass.store import Store, User, hash_token
from gatepass.store.outbox import MailStatus, OutboxEntry
from gatepass.tokens import onetime
from tests.store.contract import NOW, WHO, make_session, make_token, make_user


async def mail(store: Store, to: str, status: MailStatus) -> OutboxEntry:
    entry = OutboxEntry(
        id=f"{status}-{to}"[:32],
        kind="verify_email",
        recipient=to,
        sealed=None if status == "sent" else b"sealed",
        status=status,
        attempts=1,
        created_at=NOW,
        next_attempt_at=NOW,
        sent_at=NOW if status == "sent" else None,
    )
    await store.enqueue_mail(entry)
    return entry


async def belongings(store: Store, user: User) -> list[str]:
    """Login (session, refresh token, audit row with ip and user agent), an account
    token, and audit rows; returns the raw refresh-token hashes."""
    session, _ = await store.start_session(
        user.id,
        hash_token("raw-1"),
        now=NOW,
        expires_at=NOW + 3600,
        refresh_expires_at=NOW + 3600,
        user_agent="Firefox",
        ip="203.0.113.9",
    )
    second = await make_session(store, user)
    token = await make_token(store, second)
    await store.save_account_token(onetime.mint("verify_email", user, NOW).record)
    await store.add_audit_event(
        "password_changed",
        at=NOW + 1,
        user_id=user.id,
        ip=WHO.ip,
        user_agent=WHO.user_agent,
        detail={"email": user.email},
    )
    # A row naming only the session (as a refresh of it could) is theirs too.
    await store.add_audit_event("refresh", at=NOW + 2, session_id=session.id, ip="198.51.100.1")
    return [hash_token("raw-1"), token.token_hash]


async def test_delete_user_takes_their_sessions_tokens_and_account_tokens(store: Store) -> None:
    user = await make_user(store)
    hashes = await belongings(store, user)
    sessions = await store.list_sessions(now=NOW, user_id=user.id)
    assert len(sessions) == 2
    assert await store.delete_user(user.id, now=NOW + 10) is True
    assert await store.get_user(user.id) is None
    assert await store.get_user_by_email(user.email) is None
    assert await store.list_users() == []
    for session in sessions:
        assert await store.get_session(session.id) is None
    assert await store.list_sessions(now=NOW, active_only=False) == []
    for token_hash in hashes:
        assert await store.get_refresh_token(token_hash) is None
    assert await store.revoke_account_tokens(user.id) == 0
    assert await store.purge_account_tokens(now=NOW + 10**9) == 0


async def test_the_audit_trail_stays_without_what_identifies_the_person(store: Store) -> None:
    user = await make_user(store)
    other = await make_user(store, "bob@example.com")
    await belongings(store, user)
    kept = await store.add_audit_event(
        "login", at=NOW + 3, user_id=other.id, ip="192.0.2.1", user_agent="curl", detail={"n": 1}
    )
    before = await store.list_audit_events()
    await store.delete_user(user.id, now=NOW + 10)
    after = await store.list_audit_events()
    scrubbed = [
        dataclasses.replace(e, ip=None, user_agent=None, detail={}) if e != kept else e
        for e in before
    ]
    assert after == scrubbed
    assert [e.event for e in after] == ["login", "refresh", "password_changed", "login"]
    assert [e.user_id for e in after][2:] == [user.id, user.id]


async def test_sent_and_failed_mails_to_the_address_go_pending_ones_stay(store: Store) -> None:
    user = await make_user(store)
    sent = await mail(store, user.email, "sent")
    failed = await mail(store, user.email, "failed")
    pending = await mail(store, user.email, "pending")
    others = [await mail(store, "bob@example.com", s) for s in ("sent", "failed")]
    await store.delete_user(user.id, now=NOW + 10)
    left = {e.id for e in await store.list_mail()}
    assert left == {pending.id, *(e.id for e in others)}
    assert sent.id not in left
    assert failed.id not in left


async def test_the_address_can_be_registered_again(store: Store) -> None:
    user = await make_user(store)
    await belongings(store, user)
    await store.delete_user(user.id, now=NOW + 10)
    again = await store.create_user(user.email, "h2", now=NOW + 20)
    assert again.id != user.id
    assert await store.get_user_by_email(user.email) == again
    assert await store.list_sessions(now=NOW, user_id=again.id, active_only=False) == []


async def test_deleting_a_missing_user_is_false_and_touches_nothing(store: Store) -> None:
    user = await make_user(store)
    await belongings(store, user)
    audit = await store.list_audit_events()
    assert await store.delete_user("0" * 32, now=NOW) is False
    assert await store.delete_user("a\x00b", now=NOW) is False
    assert await store.get_user(user.id) == user
    assert await store.list_audit_events() == audit
    assert len(await store.list_sessions(now=NOW, user_id=user.id)) == 2


async def test_deleting_twice_at_once_deletes_once(store: Store) -> None:
    user = await make_user(store)
    await belongings(store, user)
    results = await asyncio.gather(*(store.delete_user(user.id, now=NOW) for _ in range(2)))
    assert sorted(results) == [False, True]


async def test_revocations_are_left_alone(store: Store) -> None:
    user = await make_user(store)
    entry = await store.add_revocation(
        "user", user.id, not_before=NOW, now=NOW, expires_at=NOW + 900
    )
    await store.delete_user(user.id, now=NOW + 1)
    assert await store.live_revocations(now=NOW + 1) == [entry]
