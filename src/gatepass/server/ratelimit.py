"""Rate limits on login, register and refresh, per account and per client IP.

Two stacked moving windows make lockouts grow: a burst over the short window
waits out that window; sustained guessing also exhausts the long window
(``lockout_max``) and waits that out. Counters are kept by the ``limits``
library: in this process's memory, or with ``GATEPASS_REDIS_URL`` in Redis, so
that every worker and host counts against one limit.

Redis is a helper, never a dependency: when it does not answer (short socket
timeouts, no client-side retries), the attempt is counted in this process's
memory instead, the fallback is logged once (a warning), and Redis is tried
again at most every ``REDIS_RETRY_S`` seconds by a single request; its return
is logged too (info).
A request never fails, and never waits long, because Redis is down.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from gatepass.errors import RateLimitedError
from gatepass.server.background import Outage
from gatepass.settings import Settings

__all__ = ["REDIS_RETRY_S", "REDIS_TIMEOUT_S", "RateLimits"]

REDIS_TIMEOUT_S = 0.25  # per socket operation; Redis answers in well under a millisecond
REDIS_DEADLINE_S = 1.0  # for one whole check, whatever the client does
REDIS_RETRY_S = 1.0  # while Redis is down, how often one request tries it again
_REDIS_FAILURES = (RedisError, StorageError, OSError, TimeoutError)


def redis_storage(client: Redis, key_prefix: str) -> RedisStorage:
    """``limits``' Redis storage on an existing client (whose pool it shares)."""
    options: dict[str, Any] = {"connection_pool": client.connection_pool}
    return RedisStorage(
        "async+redis://", implementation="redispy", key_prefix=f"{key_prefix}:ratelimit", **options
    )


def redis_client(url: str) -> Redis:
    """A client for a ``redis://``, ``rediss://`` or ``unix://`` URL that fails fast.

    It never retries and gives up on a socket after ``REDIS_TIMEOUT_S``: falling
    back quickly matters more than any one counter.
    """
    return Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),
    )


class RateLimits:
    """``check(scope, key)`` raises RateLimitedError (with Retry-After) when over a limit."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self._local = MovingWindowRateLimiter(storage or MemoryStorage())
        self._redis: Redis | None = None
        self._shared: MovingWindowRateLimiter | None = None
        if storage is None and settings.redis_url is not None:
            self._redis = redis_client(settings.redis_url)
            self._shared = MovingWindowRateLimiter(
                redis_storage(self._redis, settings.redis_key_prefix)
            )
        self._outage = Outage("rate-limit Redis")  # logs the fallback and the return once
        self._retry_at = 0.0
        window, longest = (
            settings.rate_limit_window,
            max(settings.lockout_max, settings.rate_limit_window),
        )

        def rules(per_window: int) -> list[RateLimitItem]:
            return parse_many(
                f"{per_window} per {window} second; {per_window * 3} per {longest} second"
            )

        self._rules = {
            "login:account": rules(settings.login_limit_per_account),
            "login:ip": rules(settings.login_limit_per_ip),
            "register:ip": rules(settings.register_limit_per_ip),
            "refresh:ip": rules(settings.refresh_limit_per_ip),
        }

    @property
    def shared(self) -> bool:
        """Whether counters currently go to Redis (False without Redis or while it is down)."""
        return self._shared is not None and not self._outage.down

    async def check(self, scope: str, key: str) -> None:
        """Count one attempt for ``key`` under ``scope``; refuse when over any window."""
        rules = self._rules[scope]
        shared = self._shared
        if shared is not None and self._should_try_redis():
            try:
                async with asyncio.timeout(REDIS_DEADLINE_S):
                    retry_after = await _hit(shared, rules, scope, key)
            except _REDIS_FAILURES as error:
                self._redis_failed(error)
            else:
                self._outage.ok()
                _raise_if_limited(retry_after)
                return
        _raise_if_limited(await _hit(self._local, rules, scope, key))

    async def close(self) -> None:
        """Close the Redis connections (the memory counters need nothing)."""
        if self._redis is not None:
            await self._redis.aclose()

    def _should_try_redis(self) -> bool:
        if not self._outage.down:
            return True
        now = time.monotonic()
        if now < self._retry_at:
            return False
        self._retry_at = now + REDIS_RETRY_S  # this request probes; the others stay local
        return True

    def _redis_failed(self, error: BaseException) -> None:
        self._retry_at = time.monotonic() + REDIS_RETRY_S
        self._outage.failed(error)


async def _hit(
    limiter: MovingWindowRateLimiter, rules: list[RateLimitItem], scope: str, key: str
) -> int | None:
    """Count the attempt against every rule; the wait in seconds if one refuses, else None."""
    for item in rules:
        if not await limiter.hit(item, scope, key):
            stats = await limiter.get_window_stats(item, scope, key)
            # The window may slide between hit and stats: never "retry after 0" (or less).
            return max(1, math.ceil(stats.reset_time - time.time()))
    return None


def _raise_if_limited(retry_after: int | None) -> None:
    if retry_after is not None:
        raise RateLimitedError(retry_after=retry_after)
