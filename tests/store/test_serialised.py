"""Writes the store serialises across processes: the first signing key, revocation inserts."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from gatepass.errors import InvalidKeyError
from gatepass.store.protocols import Store
from gatepass.store.sql.store import _insert_revocation
from gatepass.tokens.keyring import new_signing_record
from tests.store.conftest import StoreMaker

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
    async with first_store._write() as conn:
        first = await _insert_revocation(conn, "jti", "a", NOW, NOW, NOW + 900)
        second_task = asyncio.create_task(
            second_store.add_revocation("jti", "b", not_before=NOW, now=NOW, expires_at=NOW + 900)
        )
        await asyncio.sleep(0.3)
        assert not second_task.done()  # blocked behind the uncommitted first entry
        assert await second_store.revocations_since(0) == []
    second = await asyncio.wait_for(second_task, 10)
    assert second.seq > first.seq
    assert [e.seq for e in await second_store.revocations_since(0)] == [first.seq, second.seq]
