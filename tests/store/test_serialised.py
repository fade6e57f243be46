"""Writes the store serialises across processes: the first signing key, revocation inserts."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text

from gatepass.errors import InvalidKeyError
from gatepass.store.protocols import Store
from gatepass.store.sql.revocations import insert_revocation
from gatepass.store.sql.store import SqlStore
from gatepass.tokens.keyring import new_signing_record
from tests.store.conftest import StoreMaker, before_statements

NOW = 1_800_000_000.0
KEK = secrets.token_urlsafe(32)


async def test_add_first_signing_key_only_when_none_is_active(store: Store) -> None:
    _, first = new_signing_record(NOW, KEK)
    _, second = new_signing_record(NOW + 1, KEK)
    assert await store.add_first_signing_key(first)
    assert not await store.add_first_signing_key(second)
    assert [k.kid for k in await store.list_signing_keys()] == [first.kid]
    await store.set_signing_key_status(first.kid, "retiring", retire_at=NOW + 10)
    assert await store.add_first_signing_key(second)
    await store.set_signing_key_status(second.kid, "retired")
    with pytest.raises(InvalidKeyError):
        await store.add_first_signing_key(first)


async def test_concurrent_first_keys_make_exactly_one(make_sql_store: StoreMaker) -> None:
    stores = [make_sql_store() for _ in range(8)]
    await stores[0].migrate()
    await asyncio.gather(*(s.health() for s in stores))
    records = [new_signing_record(NOW, KEK)[1] for _ in stores]
    inserted = await asyncio.gather(
        *(s.add_first_signing_key(r) for s, r in zip(stores, records, strict=True))
    )
    assert inserted.count(True) == 1
    assert len(await stores[0].list_signing_keys(statuses=["active"])) == 1


async def test_a_revocation_waits_for_an_uncommitted_one(make_sql_store: StoreMaker) -> None:
    """A reader that saw seq n never finds n-1 later: inserts commit in seq order."""
    first_store, second_store = make_sql_store(), make_sql_store()
    await first_store.migrate()
    await second_store.health()
    watcher = make_sql_store()
    with queueing(second_store) as queued:
        async with first_store.writing() as conn:
            first = await insert_revocation(conn, "jti", "a", NOW, NOW, NOW + 900)
            second_task = asyncio.create_task(
                second_store.add_revocation(
                    "jti", "b", not_before=NOW, now=NOW, expires_at=NOW + 900
                )
            )
            await until_waiting(watcher, queued, second_task)
            assert not second_task.done()  # blocked behind the uncommitted first entry
            assert await second_store.revocations_since(0) == []
    second = await asyncio.wait_for(second_task, 10)
    assert second.seq > first.seq
    assert [e.seq for e in await second_store.revocations_since(0)] == [first.seq, second.seq]


@contextmanager
def queueing(store: SqlStore) -> Iterator[list[int | None]]:
    """Collects the statements of ``store`` that wait for another writer to commit:
    PostgreSQL's advisory lock (as the backend pid that sent it), SQLite's
    ``BEGIN IMMEDIATE`` (as None: SQLite shows no waiter)."""
    sent: list[int | None] = []

    def seen(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "pg_advisory_xact_lock" in statement:
            sent.append(conn.connection.driver_connection.get_server_pid())
        elif statement.startswith("BEGIN IMMEDIATE"):
            sent.append(None)

    with before_statements(store, seen):
        yield sent


async def until_waiting(watcher: SqlStore, queued: list[int | None], task: Any) -> None:
    """Return once ``task`` waits on the database (or has finished: the test then fails)."""
    waiting = text(
        "SELECT 1 FROM pg_locks WHERE pid = :pid AND locktype = 'advisory' AND NOT granted"
    )
    deadline = asyncio.get_running_loop().time() + 10
    while not task.done() and asyncio.get_running_loop().time() < deadline:
        if queued and queued[0] is None:
            return
        if queued:
            async with watcher.reading() as conn:
                if (await conn.execute(waiting, {"pid": queued[0]})).first() is not None:
                    return
        await asyncio.sleep(0.01)
