"""The RevocationStore contract, on every backend."""

from __future__ import annotations

import pytest

from gatepass.store import Store
from tests.store.contract import NOW


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
