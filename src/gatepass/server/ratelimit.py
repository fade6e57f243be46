"""Rate limits on login, register and refresh, per account and per client IP.

Two stacked moving windows make lockouts grow: a burst over the short window
waits out that window; sustained guessing also exhausts the long window
(``lockout_max``) and waits that out. Counters are kept by the ``limits``
library: in this process's memory, or with ``GATEPASS_REDIS_URL`` in Redis, so
that every worker and host counts against one limit.

Failed logins are counted per (account, client IP) and per account, and the
rule in ``gatepass.server.lockout`` decides from those counters; see
``admit_login``, ``login_failed`` and ``login_succeeded``.

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
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from gatepass.background import Outage
from gatepass.clock import system_clock
from gatepass.errors import RateLimitedError
from gatepass.server.lockout import (
    Counter,
    Decision,
    Delay,
    LoginCounters,
    Refuse,
    account_key,
    decide,
)
from gatepass.settings import Settings

__all__ = ["REDIS_RETRY_S", "REDIS_TIMEOUT_S", "RateLimits", "Sleep"]

REDIS_TIMEOUT_S = 0.25  # per socket operation; Redis answers in well under a millisecond
REDIS_DEADLINE_S = 1.0  # for one whole check, whatever the client does
REDIS_RETRY_S = 1.0  # while Redis is down, how often one request tries it again
_REDIS_FAILURES = (RedisError, StorageError, OSError, TimeoutError)
# Failed logins on one account from one client IP, and from every client IP.
_FROM_CLIENT, _FROM_ALL = "login:account-ip", "login:account"

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


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
    """``check(scope, key)`` raises RateLimitedError (with Retry-After) when over a limit.

    Logins go through ``admit_login`` before the password is checked, then
    ``login_failed`` or ``login_succeeded``. ``sleep`` is how a delayed login
    waits (tests inject one that records instead).
    """

    def __init__(
        self, settings: Settings, storage: Storage | None = None, *, sleep: Sleep | None = None
    ) -> None:
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
        self._sleep = sleep or asyncio.sleep

        def rules(per_window: int, window: int = settings.rate_limit_window) -> list[RateLimitItem]:
            longest = max(settings.lockout_max, window)
            return parse_many(
                f"{per_window} per {window} second; {per_window * 3} per {longest} second"
            )

        self._from_client = rules(
            settings.login_limit_per_account_ip, settings.login_failure_window
        )
        # Counted past its limit (up to where the delay stops growing), so the delay can grow.
        self._account_limit = settings.login_limit_per_account
        self._max_delay = settings.login_delay_max
        capacity = self._account_limit * max(1, math.ceil(self._max_delay))
        self._from_all = parse_many(f"{capacity} per {settings.login_account_window} second")[0]
        self._rules = {
            "login:ip": rules(settings.login_limit_per_ip),
            "register:ip": rules(settings.register_limit_per_ip),
            "refresh:ip": rules(settings.refresh_limit_per_ip),
            # The account mails: per client, and per address (however many clients ask).
            "mail:ip": rules(settings.mail_limit_per_ip),
            "mail:address": rules(settings.mail_limit_per_address),
            # Presenting a mailed token (verify, reset, confirm): guessing is hopeless
            # (256 bits), but a client trying thousands costs us a lookup each.
            "link:ip": rules(settings.link_limit_per_ip),
        }

    @property
    def shared(self) -> bool:
        """Whether counters currently go to Redis (False without Redis or while it is down)."""
        return self._shared is not None and not self._outage.down

    async def check(self, scope: str, key: str) -> None:
        """Count one attempt for ``key`` under ``scope``; refuse when over any window."""
        rules = self._rules[scope]
        _raise_if_limited(await self._apply(lambda limiter: _hit(limiter, rules, scope, key)))

    async def admit_login(self, email: str, client: str) -> None:
        """Before a password is checked: refuse (RateLimitedError), delay, or let it through.

        An admitted attempt is counted for (account, client) at once, so that
        concurrent guesses cannot all slip under the limit; a success clears it.
        """
        account = account_key(email)
        decision = await self._apply(lambda limiter: self._admit(limiter, account, client))
        if isinstance(decision, Refuse):
            raise RateLimitedError(retry_after=decision.retry_after)
        if isinstance(decision, Delay):
            await self._sleep(decision.seconds)

    async def login_failed(self, email: str) -> None:
        """Count a failed login against the account (the client's count began on admission)."""
        account = account_key(email)
        await self._apply(lambda limiter: limiter.hit(self._from_all, _FROM_ALL, account))

    async def login_succeeded(self, email: str, client: str) -> None:
        """Forget this client's failures on the account (not other clients', nor the total)."""
        account = account_key(email)

        async def clear(limiter: MovingWindowRateLimiter) -> None:
            for item in self._from_client:
                await limiter.clear(item, _FROM_CLIENT, account, client)

        await self._apply(clear)

    async def reset_account(self, email: str, client: str) -> None:
        """After a password reset: forget the account's total failures and this
        client's; other clients' stay counted (a guesser stays slowed down)."""
        await self.login_succeeded(email, client)
        account = account_key(email)
        await self._apply(lambda limiter: limiter.clear(self._from_all, _FROM_ALL, account))

    async def _admit(self, limiter: MovingWindowRateLimiter, account: str, client: str) -> Decision:
        from_client = [
            await _counter(limiter, item, item.amount, _FROM_CLIENT, account, client)
            for item in self._from_client
        ]
        from_all = await _counter(limiter, self._from_all, self._account_limit, _FROM_ALL, account)
        decision = decide(LoginCounters(tuple(from_client), from_all), self._max_delay)
        if isinstance(decision, Refuse):
            return decision
        retry_after = await _hit(limiter, self._from_client, _FROM_CLIENT, account, client)
        if retry_after is not None:  # a concurrent attempt took the last place
            return Refuse(retry_after)
        return decision

    async def _apply(self, operation: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        """Run ``operation`` on the Redis counters, or on this process's when Redis is down."""
        shared = self._shared
        if shared is not None and self._should_try_redis():
            try:
                async with asyncio.timeout(REDIS_DEADLINE_S):
                    result = await operation(shared)
            except _REDIS_FAILURES as error:
                self._redis_failed(error)
            else:
                self._outage.ok()
                return result
        return await operation(self._local)

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
    limiter: MovingWindowRateLimiter, rules: list[RateLimitItem], *identifiers: str
) -> int | None:
    """Count the attempt against every rule; the wait in seconds if one refuses, else None."""
    for item in rules:
        if not await limiter.hit(item, *identifiers):
            stats = await limiter.get_window_stats(item, *identifiers)
            return _seconds_until(stats.reset_time)
    return None


async def _counter(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, limit: int, *identifiers: str
) -> Counter:
    stats = await limiter.get_window_stats(item, *identifiers)
    return Counter(item.amount - stats.remaining, limit, _seconds_until(stats.reset_time))


def _seconds_until(reset_time: float) -> int:
    # The window may slide between hit and stats: never "retry after 0" (or less).
    # ``limits`` keeps its windows on the system clock, not the server's: so the wait too.
    return max(1, math.ceil(reset_time - system_clock()))


def _raise_if_limited(retry_after: int | None) -> None:
    if retry_after is not None:
        raise RateLimitedError(retry_after=retry_after)
