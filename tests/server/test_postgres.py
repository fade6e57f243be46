"""Refresh rotation over HTTP on PostgreSQL: the concurrent-tabs race and reuse detection.

Each test gets a fresh schema in ``GATEPASS_TEST_DATABASE_URL`` (the store
tests' ``sql_store_maker``). The race runs through two apps on two connection
pools, as two server processes would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gatepass.settings import Settings
from gatepass.store.sql.store import SqlStore
from tests.clock import Clock
from tests.server.conftest import start
from tests.store.conftest import StoreMaker, sql_store_maker

pytestmark = pytest.mark.postgres

CONCURRENT = 10


@pytest.fixture
async def make_store(tmp_path: Path) -> AsyncIterator[StoreMaker]:
    async with sql_store_maker("postgres", tmp_path) as make:
        yield make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _refresh_tokens(store: SqlStore, session_id: str) -> int:
    async with store.engine.connect() as conn:
        query = text("SELECT COUNT(*) FROM refresh_tokens WHERE session_id = :sid")
        count = (await conn.execute(query, {"sid": session_id})).scalar_one()
    return int(count)


async def test_concurrent_refreshes_inside_the_grace_window_make_one_successor(
    make_store: StoreMaker,
) -> None:
    settings = Settings(refresh_grace=10, refresh_limit_per_ip=1000)
    first_store, second_store = make_store(), make_store()
    async for a in start(settings, first_store):
        async for b in start(settings, second_store):
            tokens = await a.register_and_login()
            servers = [a, b] * (CONCURRENT // 2)
            replies = await asyncio.gather(
                *(
                    s.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
                    for s in servers
                )
            )
            assert [r.status_code for r in replies] == [200] * CONCURRENT
            assert len({r.json()["refresh_token"] for r in replies}) == 1
            assert len({r.json()["refresh_id"] for r in replies}) == 1
            assert await _refresh_tokens(first_store, tokens["session_id"]) == 2
            successor = replies[0].json()
            for server in (a, b):
                me = await server.client.get("/auth/me", headers=bearer(successor["access_token"]))
                assert me.status_code == 200
            # The successor rotates normally, once.
            onward = await b.client.post(
                "/auth/refresh", json={"refresh_token": successor["refresh_token"]}
            )
            assert onward.status_code == 200
            assert await _refresh_tokens(first_store, tokens["session_id"]) == 3


async def test_reuse_after_the_grace_window_revokes_the_session(make_store: StoreMaker) -> None:
    grace, clock = 1, Clock()
    async for server in start(Settings(refresh_grace=grace), make_store(), clock=clock):
        tokens = await server.register_and_login()
        old = {"refresh_token": tokens["refresh_token"]}
        rotated = await server.client.post("/auth/refresh", json=old)
        assert rotated.status_code == 200
        replay = await server.client.post("/auth/refresh", json=old)
        assert replay.json()["refresh_token"] == rotated.json()["refresh_token"]

        clock.now += grace + 0.5  # past the grace window, without waiting for it
        reuse = await server.client.post("/auth/refresh", json=old)
        assert reuse.status_code == 401
        assert reuse.json()["error"] == "refresh_token_reused"
        for access in (tokens["access_token"], rotated.json()["access_token"]):
            dead = await server.client.get("/dashboard", headers=bearer(access))
            assert dead.status_code == 401
        successor = {"refresh_token": rotated.json()["refresh_token"]}
        assert (await server.client.post("/auth/refresh", json=successor)).status_code == 401
        events = [e.event for e in await server.store.list_audit_events()]
        assert "refresh_token_reused" in events


async def test_a_session_id_with_nul_is_not_found_not_a_503(make_store: StoreMaker) -> None:
    # PostgreSQL refuses NUL in text; the query failed and the answer was
    # "database unavailable" for DELETE /auth/sessions/a%00b.
    store = make_store()
    await store.migrate()
    async for server in start(Settings(), store):
        tokens = await server.register_and_login()
        for raw in ("a%00b", "%00"):
            reply = await server.client.delete(
                f"/auth/sessions/{raw}", headers=bearer(tokens["access_token"])
            )
            assert reply.status_code == 404, reply.text
