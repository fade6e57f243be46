"""The storage contract: every backend (memory, SQLite, PostgreSQL) behaves the same.

One suite per protocol beside this one (``test_contract_users.py`` ...); here
what spans them: paging every list, and the lifecycle."""

from __future__ import annotations

import pytest

from gatepass.store import Store, validation
from tests.store.contract import NOW, make_user


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


async def test_health_and_idempotent_migrate(store: Store) -> None:
    await store.health()
    user = await make_user(store)
    await store.migrate()
    assert await store.get_user(user.id) == user
