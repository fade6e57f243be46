"""The ``OutboxStore`` contract: memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from gatepass.store import Store, new_id
from gatepass.store.outbox import OutboxEntry
from tests.store.conftest import StoreMaker
from tests.store.contract import NOW

LEASE = 300.0


def entry(at: float = NOW, **changes: object) -> OutboxEntry:
    made = OutboxEntry(
        id=new_id(),
        kind="verify_email",
        recipient="alice@example.com",
        sealed=b"\x00sealed\xff",
        status="pending",
        attempts=0,
        created_at=at,
        next_attempt_at=at,
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


async def queued(store: Store, at: float = NOW, **changes: object) -> OutboxEntry:
    made = entry(at, **changes)
    await store.enqueue_mail(made)
    return made


async def test_a_queued_mail_is_listed_as_it_was_queued(store: Store) -> None:
    made = await queued(store)
    assert await store.list_mail() == [made]
    assert await store.list_mail(status="pending") == [made]
    assert await store.list_mail(status="sent") == []


async def test_claim_takes_due_mails_oldest_first_with_a_lease(store: Store) -> None:
    late = await queued(store, NOW + 5)
    early = await queued(store, NOW)
    future = await queued(store, NOW + 100)
    claimed = await store.claim_mail(now=NOW + 10, lease=LEASE)
    assert [c.id for c in claimed] == [early.id, late.id]
    assert all(c.attempts == 1 and c.next_attempt_at == NOW + 10 + LEASE for c in claimed)
    # Leased: not claimed again until the lease ends (a worker that died mid-send).
    assert [c.id for c in await store.claim_mail(now=NOW + 100, lease=LEASE)] == [future.id]
    again = await store.claim_mail(now=NOW + 10 + LEASE, lease=LEASE)
    assert {(c.id, c.attempts) for c in again} == {(early.id, 2), (late.id, 2)}


async def test_claim_respects_the_limit(store: Store) -> None:
    for i in range(5):
        await queued(store, NOW + i)
    assert len(await store.claim_mail(now=NOW + 10, lease=LEASE, limit=2)) == 2
    assert len(await store.claim_mail(now=NOW + 10, lease=LEASE, limit=10)) == 3
    assert await store.claim_mail(now=NOW + 10, lease=LEASE) == []


async def test_concurrent_claims_never_share_a_mail(store: Store) -> None:
    made = {(await queued(store, NOW + i)).id for i in range(12)}
    batches = await asyncio.gather(
        *(store.claim_mail(now=NOW + 20, lease=LEASE, limit=3) for _ in range(6))
    )
    ids = [c.id for batch in batches for c in batch]
    assert len(ids) == len(set(ids)) == 12
    assert set(ids) == made


async def test_two_workers_on_one_database_never_share_a_mail(make_sql_store: StoreMaker) -> None:
    first, second = make_sql_store(), make_sql_store()
    await first.migrate()
    for i in range(20):
        await queued(first, NOW + i)
    batches = await asyncio.gather(
        *(s.claim_mail(now=NOW + 30, lease=LEASE, limit=4) for s in (first, second) * 4)
    )
    ids = [c.id for batch in batches for c in batch]
    assert len(ids) == len(set(ids)) == 20


async def test_sent_drops_the_body(store: Store) -> None:
    made = await queued(store)
    await store.claim_mail(now=NOW, lease=LEASE)
    await store.mark_mail_sent(made.id, now=NOW + 1)
    [sent] = await store.list_mail(status="sent")
    assert (sent.status, sent.sent_at, sent.sealed, sent.attempts) == ("sent", NOW + 1, None, 1)
    assert await store.claim_mail(now=NOW + 10 * LEASE, lease=LEASE) == []


async def test_failed_waits_until_retry_at_or_gives_up(store: Store) -> None:
    first, second = await queued(store), await queued(store)
    await store.claim_mail(now=NOW, lease=LEASE)
    await store.mark_mail_failed(first.id, error="connection refused", retry_at=NOW + 60)
    await store.mark_mail_failed(second.id, error="550 no such user", retry_at=None)
    [waiting] = await store.list_mail(status="pending")
    assert (waiting.id, waiting.next_attempt_at, waiting.last_error) == (
        first.id,
        NOW + 60,
        "connection refused",
    )
    [dead] = await store.list_mail(status="failed")
    assert (dead.id, dead.last_error, dead.sealed) == (
        second.id,
        "550 no such user",
        b"\x00sealed\xff",
    )
    assert await store.claim_mail(now=NOW + 59, lease=LEASE) == []
    assert [c.id for c in await store.claim_mail(now=NOW + 60, lease=LEASE)] == [first.id]


async def test_retry_one_or_all(store: Store) -> None:
    dead, waiting, done = await queued(store), await queued(store), await queued(store)
    await store.claim_mail(now=NOW, lease=LEASE)
    await store.mark_mail_failed(dead.id, error="refused", retry_at=None)
    await store.mark_mail_failed(waiting.id, error="down", retry_at=NOW + 3600)
    await store.mark_mail_sent(done.id, now=NOW)
    assert await store.retry_mail(done.id, now=NOW + 1) == 0  # its body is gone
    assert await store.retry_mail("0" * 32, now=NOW + 1) == 0
    assert await store.retry_mail("a\x00b", now=NOW + 1) == 0
    assert await store.retry_mail(dead.id, now=NOW + 1) == 1
    assert [c.id for c in await store.claim_mail(now=NOW + 1, lease=LEASE)] == [dead.id]
    assert await store.retry_mail(None, now=NOW + 2) == 2  # the waiting one and the claimed one
    assert {c.id for c in await store.claim_mail(now=NOW + 2, lease=LEASE)} == {
        dead.id,
        waiting.id,
    }


async def test_list_is_newest_first_and_paged(store: Store) -> None:
    made = [await queued(store, NOW + i) for i in range(5)]
    newest_first = [m.id for m in reversed(made)]
    assert [m.id for m in await store.list_mail()] == newest_first
    assert [m.id for m in await store.list_mail(limit=2, offset=1)] == newest_first[1:3]
    with pytest.raises(ValueError, match="limit"):
        await store.list_mail(limit=0)
    with pytest.raises(ValueError, match="offset"):
        await store.list_mail(offset=-1)
    with pytest.raises(ValueError, match="status"):
        await store.list_mail(status="lost")  # type: ignore[arg-type]


async def test_purge_deletes_mails_sent_before(store: Store) -> None:
    old, new, waiting = await queued(store), await queued(store), await queued(store)
    await store.claim_mail(now=NOW, lease=LEASE)
    await store.mark_mail_sent(old.id, now=NOW + 1)
    await store.mark_mail_sent(new.id, now=NOW + 100)
    assert await store.purge_mail(sent_before=NOW + 50) == 1
    assert {m.id for m in await store.list_mail()} == {new.id, waiting.id}
