"""Revocations reach every instance: at once here, within a poll (or a Redis push) there."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gatepass.revocation.server_sync import ServerRevocationSync
from gatepass.settings import Settings
from gatepass.store import MemoryStore
from gatepass.store.protocols import Store
from tests.server.conftest import Server
from tests.server.instances import eventually, running, shared_stores
from tests.services import redis_prefix, redis_url
from tests.serving import free_port
from tests.store.conftest import SQL_BACKENDS

PUSH_WARNING = "Redis (revocation push) unavailable"


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _status(server: Server, tokens: dict[str, Any]) -> int:
    return (await server.client.get("/dashboard", headers=_bearer(tokens))).status_code


async def _refused(server: Server, tokens: dict[str, Any]) -> bool:
    return await _status(server, tokens) == 401


@pytest.fixture(params=SQL_BACKENDS)
async def pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Server, Server]]:
    """Two instances, each with its own pool, on one SQLite file or PostgreSQL schema."""
    settings = Settings(revocation_poll=0.1, refresh_grace=0)
    async with (
        shared_stores(request.param, tmp_path) as make,
        running(settings, make()) as a,
        running(settings, make()) as b,
    ):
        yield a, b


async def test_logout_on_a_is_refused_at_once_on_a_and_within_a_second_on_b(
    pair: tuple[Server, Server],
) -> None:
    a, b = pair
    tokens = await a.register_and_login()
    assert await _status(b, tokens) == 200
    assert (await a.client.post("/auth/logout", headers=_bearer(tokens))).status_code == 204
    assert await _refused(a, tokens)  # the same instance: before the logout's response
    await eventually(lambda: _refused(b, tokens), within=1.0)
    # Someone else's session is untouched on both.
    other = await b.register_and_login("bob@example.com")
    assert (await _status(a, other), await _status(b, other)) == (200, 200)


async def test_logout_all_and_session_revoke_reach_the_other_instance(
    pair: tuple[Server, Server],
) -> None:
    a, b = pair
    first = await a.register_and_login()
    second = (
        await a.client.post(
            "/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
        )
    ).json()
    third = (
        await b.client.post(
            "/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
        )
    ).json()
    path = f"/auth/sessions/{second['session_id']}"
    assert (await b.client.delete(path, headers=_bearer(third))).status_code == 204
    assert await _refused(b, second)
    await eventually(lambda: _refused(a, second), within=1.0)
    assert await _status(a, first) == 200

    assert (await b.client.post("/auth/logout/all", headers=_bearer(third))).status_code == 204
    assert await _refused(b, first)
    assert await _refused(b, third)
    await eventually(lambda: _refused(a, first), within=1.0)
    assert await _refused(a, third)


async def test_refresh_token_reuse_kills_the_access_token_everywhere(
    pair: tuple[Server, Server],
) -> None:
    a, b = pair
    assert a.settings.refresh_grace == 0  # any second use is a theft
    tokens = await a.register_and_login()
    stolen = tokens["refresh_token"]
    fresh = await a.client.post("/auth/refresh", json={"refresh_token": stolen})
    assert fresh.status_code == 200
    assert await _status(a, fresh.json()) == 200
    reuse = await b.client.post("/auth/refresh", json={"refresh_token": stolen})
    assert reuse.status_code == 401
    assert reuse.json()["error"] == "refresh_token_reused"
    assert await _refused(b, fresh.json())
    await eventually(lambda: _refused(a, fresh.json()), within=1.0)
    assert await _refused(a, tokens)


class CountingStore:
    """A store that counts every call, to prove the hot path reads nothing."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


async def test_the_dashboard_hot_path_reads_no_database() -> None:
    counting = CountingStore(MemoryStore())
    settings = Settings(revocation_poll=60, key_sync=60)
    store: Any = counting
    async with running(settings, store) as server:
        tokens = await server.register_and_login()
        counting.calls.clear()
        for _ in range(20):
            assert await _status(server, tokens) == 200
        assert counting.calls == []
        # /me still reads its rows (it shows them), so the wrapper does count.
        assert (await server.client.get("/auth/me", headers=_bearer(tokens))).status_code == 200
        assert "get_session" in counting.calls


async def test_a_revoked_token_is_refused_by_the_hot_path_without_a_database() -> None:
    counting = CountingStore(MemoryStore())
    store: Any = counting
    async with running(Settings(revocation_poll=60, key_sync=60), store) as server:
        tokens = await server.register_and_login()
        assert (
            await server.client.post("/auth/logout", headers=_bearer(tokens))
        ).status_code == 204
        counting.calls.clear()
        assert await _refused(server, tokens)
        assert counting.calls == []


async def test_memory_and_database_are_purged_when_entries_expire() -> None:
    store = MemoryStore()
    clock = [1_800_000_000.0]
    for i in range(2000):
        await store.add_revocation(
            "jti", f"j{i}", not_before=clock[0], now=clock[0], expires_at=clock[0] + 10 + i % 10
        )
    sync = ServerRevocationSync(store, Settings(revocation_poll=60), clock=lambda: clock[0])
    await sync.start()
    try:
        assert len(sync.revoked) == 2000
        assert sync.is_revoked({"jti": "j5"})
        clock[0] += 14.5  # half of them have expired; the memory purge is due
        await sync.poll()
        assert len(sync.revoked) == 1000
        assert not sync.is_revoked({"jti": "j0"})
        assert sync.is_revoked({"jti": "j9"})
        clock[0] += 100  # all expired, and the database purge is due too
        await sync.poll()
        assert len(sync.revoked) == 0
        assert await store.revocations_since(0) == []
        # New entries still arrive after a purge (the cursor did not go back).
        await store.add_revocation(
            "session", "s1", not_before=clock[0], now=clock[0], expires_at=clock[0] + 10
        )
        await sync.poll()
        assert sync.is_revoked({"sid": "s1"})
        assert len(sync.revoked) == 1
    finally:
        await sync.stop()


async def test_a_redis_push_arrives_long_before_the_poll(tmp_path: Path) -> None:
    url = redis_url()
    with redis_prefix(url) as prefix:
        settings = Settings(redis_url=url, redis_key_prefix=prefix, revocation_poll=60)
        async with (
            shared_stores("sqlite", tmp_path) as make,
            running(settings, make()) as a,
            running(settings, make()) as b,
        ):
            tokens = await a.register_and_login()
            assert await _status(b, tokens) == 200
            # Both subscribed? A push sent before B subscribes would be lost to the poll.
            await eventually(lambda: _subscribed(b), within=5.0)
            started = time.monotonic()
            assert (await a.client.post("/auth/logout", headers=_bearer(tokens))).status_code == 204
            await eventually(lambda: _refused(b, tokens), within=1.0)
            assert time.monotonic() - started < 1.0  # the poll period is 60 s


async def _subscribed(server: Server) -> bool:
    sync: ServerRevocationSync = server.app.state.gatepass.revocations
    return sync.subscribed


async def test_redis_unreachable_polling_still_delivers_one_warning_no_500(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings = Settings(redis_url=dead, revocation_poll=0.1)
    caplog.set_level(logging.INFO, "gatepass")
    async with (
        shared_stores("sqlite", tmp_path) as make,
        running(settings, make()) as a,
        running(settings, make()) as b,
    ):
        tokens = await a.register_and_login()
        for _ in range(10):
            assert await _status(b, tokens) == 200
        started = time.monotonic()
        assert (await a.client.post("/auth/logout", headers=_bearer(tokens))).status_code == 204
        assert time.monotonic() - started < 1.0  # never waits on the dead Redis
        assert await _refused(a, tokens)
        await eventually(lambda: _refused(b, tokens), within=1.0)
        for _ in range(10):
            assert await _status(b, tokens) == 401
    warnings = [
        r for r in caplog.records if r.levelno >= logging.WARNING and PUSH_WARNING in r.getMessage()
    ]
    assert len(warnings) == 2  # one per instance, however many requests and retries
    assert "127.0.0.1" not in warnings[0].getMessage()
