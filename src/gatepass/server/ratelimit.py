"""Rate limits on login, register and refresh, per account and per client IP.

Two stacked moving windows make lockouts grow: a burst over the short window
waits out that window; sustained guessing also exhausts the long window
(``lockout_max``) and waits that out. Counters live in memory on one process
(the ``limits`` library); with ``GATEPASS_REDIS_URL`` they are shared through
Redis (issue 6 wires that in).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from gatepass.errors import RateLimitedError
from gatepass.settings import Settings

__all__ = ["RateLimits"]


class RateLimits:
    """``check(scope, key)`` raises RateLimitedError (with Retry-After) when over a limit."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())
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

    async def check(self, scope: str, key: str) -> None:
        """Count one attempt for ``key`` under ``scope``; refuse when over any window."""
        for item in self._rules[scope]:
            if not await self._limiter.hit(item, scope, key):
                stats = await self._limiter.get_window_stats(item, scope, key)
                raise RateLimitedError(retry_after=math.ceil(stats.reset_time - time.time()))
