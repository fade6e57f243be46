"""With GATEPASS_REDIS_URL, two app instances count against one limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from gatepass.settings import Settings
from tests.server.conftest import PASSWORD, Server, start
from tests.server.test_ratelimit import ATTACKER, OWNER, PROXY, Sleeps
from tests.services import redis_prefix, redis_url

pytestmark = pytest.mark.redis

WRONG = "wrong password"


@pytest.fixture
def shared_redis() -> Iterator[tuple[str, str]]:
    """(url, key prefix): the test Redis with a prefix no other test or run uses."""
    url = redis_url()
    with redis_prefix(url) as prefix:
        yield url, prefix


async def _login(server: Server, email: str) -> int:
    reply = await server.client.post("/auth/login", json={"email": email, "password": WRONG})
    assert reply.status_code != 500, reply.text
    if reply.status_code == 429:
        assert 1 <= int(reply.headers["retry-after"]) <= 60
        assert reply.json()["error"] == "rate_limited"
    return reply.status_code


async def test_two_instances_share_the_login_limit(shared_redis: tuple[str, str]) -> None:
    url, prefix = shared_redis
    settings = Settings(
        redis_url=url,
        redis_key_prefix=prefix,
        login_limit_per_account_ip=3,
        login_failure_window=60,
    )
    async for a in start(settings):
        async for b in start(settings):
            codes = [await _login(s, "ada@example.com") for s in (a, b, a, b, a)]
            assert codes == [401, 401, 401, 429, 429]
            # Another account is not locked by this one, on either instance.
            assert await _login(b, "bob@example.com") == 401
            assert a.app.state.gatepass.limits.shared
            assert b.app.state.gatepass.limits.shared


async def test_per_ip_limit_is_shared_and_counters_live_under_the_prefix(
    shared_redis: tuple[str, str],
) -> None:
    url, prefix = shared_redis
    settings = Settings(
        redis_url=url,
        redis_key_prefix=prefix,
        login_limit_per_ip=4,
        login_limit_per_account=100,
        rate_limit_window=60,
    )
    async for a in start(settings):
        async for b in start(settings):
            codes = [await _login(s, f"user{i}@example.com") for i, s in enumerate((a, b) * 3)]
            assert codes == [401, 401, 401, 401, 429, 429]
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:ratelimit:*")]
    finally:
        await client.aclose()
    assert keys, "the counters were not kept in Redis"


async def test_without_redis_each_instance_counts_alone() -> None:
    settings = Settings(login_limit_per_account_ip=3, login_failure_window=60)
    async for a in start(settings):
        async for b in start(settings):
            codes = [await _login(s, "ada@example.com") for s in (a, b, a, b, a, b)]
            assert codes == [401, 401, 401, 401, 401, 401]
            assert await _login(a, "ada@example.com") == 429
            assert not a.app.state.gatepass.limits.shared


async def test_the_lockout_is_shared_and_cannot_be_turned_on_the_owner(
    shared_redis: tuple[str, str],
) -> None:
    url, prefix = shared_redis
    sleeps = Sleeps()
    settings = Settings(
        redis_url=url,
        redis_key_prefix=prefix,
        trusted_proxies=PROXY,
        login_limit_per_account=20,
        login_limit_per_ip=1000,
    )
    async for a in start(settings, sleep=sleeps):
        async for b in start(settings, sleep=sleeps):
            for server in (a, b):  # each has a store of its own; the counters are shared
                await server.register_and_login()
            wrong = [await _from(s, ATTACKER, WRONG) for s in (a, b) * 15]
            assert wrong == [401] * 10 + [429] * 20  # one (account, IP) limit on both
            assert await _from(b, OWNER, PASSWORD) == 200
            assert sleeps.seconds == []
            for i in range(10):  # the account's limit, reached from addresses spread over both
                assert await _from((a, b)[i % 2], f"198.51.100.{i}", WRONG) == 401
            assert await _from(a, "203.0.113.99", PASSWORD) == 200
            assert sleeps.seconds == [1.0]
            assert await _from(b, "198.51.100.0", PASSWORD) == 429
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:ratelimit:*")]
    finally:
        await client.aclose()
    assert any(b"login:account-ip" in key for key in keys)
    assert not any(b"example" in key for key in keys), "an email address in a Redis key"


async def _from(server: Server, client_ip: str, password: str) -> int:
    reply = await server.client.post(
        "/auth/login",
        json={"email": "ada@example.com", "password": password},
        headers={"X-Forwarded-For": client_ip},
    )
    return reply.status_code
