"""The AuditStore contract, on every backend."""

from __future__ import annotations

import pytest

from gatepass.store import Store
from tests.store.contract import NOW


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
