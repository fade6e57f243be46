"""Redis dies, freezes and comes back while two app instances share rate limits through it.

While it is gone every instance counts on its own (a 429 still comes, never a
500, never a long wait), the fallback is logged once per instance, and once it
answers again the instances share one limit again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from gatepass.server.ratelimit import REDIS_DEADLINE_S
from gatepass.settings import Settings
from tests.faults.conftest import ThrowawayRedis
from tests.server.conftest import Server, start

LIMIT = 3
FALLBACK = (logging.WARNING, "rate-limit Redis unavailable (")
BACK = (logging.INFO, "rate-limit Redis available again")


@pytest.fixture
async def apps(
    throwaway_redis: ThrowawayRedis, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[Server, Server]]:
    """Two app instances sharing rate limits through the throwaway Redis; logs captured."""
    caplog.set_level(logging.INFO, logger="gatepass.server")
    settings = Settings(
        redis_url=throwaway_redis.url,
        login_limit_per_account_ip=LIMIT,
        login_limit_per_ip=10_000,
        rate_limit_window=60,
    )
    async for a in start(settings):
        async for b in start(settings):
            yield a, b


async def _codes(servers: tuple[Server, ...], email: str) -> list[int]:
    """One wrong-password login per server, in order; no answer may take long."""
    codes = []
    for server in servers:
        began = time.monotonic()
        reply = await server.client.post(
            "/auth/login", json={"email": email, "password": "wrong password"}
        )
        assert time.monotonic() - began < REDIS_DEADLINE_S + 1.0
        assert reply.status_code in (401, 429), reply.text
        if reply.status_code == 429:
            assert int(reply.headers["retry-after"]) >= 1
        codes.append(reply.status_code)
    return codes


def _logged(caplog: pytest.LogCaptureFixture, line: tuple[int, str]) -> int:
    level, text = line
    return sum(r.levelno == level and text in r.getMessage() for r in caplog.records)


async def _until_shared(a: Server, b: Server) -> None:
    """Logins on throwaway accounts until both instances use Redis again (bounded)."""
    deadline = time.monotonic() + 15
    for i in range(1000):
        if a.app.state.gatepass.limits.shared and b.app.state.gatepass.limits.shared:
            return
        assert time.monotonic() < deadline, "the instances did not go back to Redis"
        await _codes((a, b), f"probe{i}@example.com")
        await asyncio.sleep(0.2)
    pytest.fail("the instances did not go back to Redis")


async def test_redis_killed_and_restarted(
    apps: tuple[Server, Server], throwaway_redis: ThrowawayRedis, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = apps
    assert await _codes((a, b, a, b), "ada@example.com") == [401, 401, 401, 429]

    throwaway_redis.stop()
    # Per process now: each instance lets LIMIT attempts through, then refuses.
    assert await _codes((a,) * (LIMIT + 1), "bob@example.com") == [401] * LIMIT + [429]
    assert await _codes((b,) * (LIMIT + 1), "bob@example.com") == [401] * LIMIT + [429]
    assert not a.app.state.gatepass.limits.shared
    assert _logged(caplog, FALLBACK) == 2  # once per instance, not once per request

    throwaway_redis.start()
    await _until_shared(a, b)
    assert _logged(caplog, BACK) == 2
    codes = await _codes((a, b, a, b), "cleo@example.com")
    assert codes == [401, 401, 401, 429]
    assert _logged(caplog, FALLBACK) == 2


async def test_frozen_redis_times_out_quickly(
    apps: tuple[Server, Server], throwaway_redis: ThrowawayRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """A Redis that accepts connections but never answers costs one short timeout."""
    a, b = apps
    assert await _codes((a, b), "ada@example.com") == [401, 401]
    throwaway_redis.freeze()
    began = time.monotonic()
    codes = await _codes((a,) * (LIMIT + 1), "bob@example.com")
    assert codes == [401] * LIMIT + [429]
    assert time.monotonic() - began < 2 * REDIS_DEADLINE_S + 2.0
    assert _logged(caplog, FALLBACK) == 1
    throwaway_redis.thaw()
    await _until_shared(a, b)
    assert await _codes((a, b), "ada@example.com") == [401, 429]
