"""Revocations reaching every resource server within a second: Redis pushes and the feed.

``RevocationSync`` (``gatepass.protect.RevocationSync``) keeps a
``gatepass.revocation.RevocationList`` current from
two sources, either or both:

- **Redis pub/sub** on ``gatepass:revocations`` (each message the JSON of one
  entry), through ``redis.asyncio``: applied as it arrives.
- **The auth server's feed**, ``GET {auth_url}{auth_prefix}/revocations?since=
  <cursor>&limit=1000`` with ``Authorization: Bearer <feed token>``, answering
  ``{"entries": [...], "cursor": N}``: polled every ``poll_interval`` (0.5 s).
  It is also the backfill: ``start()`` reads it to the end before returning,
  so entries made before this process started are known.

With both, the feed is polled slowly (``reconcile_interval``) while Redis is
up, and every ``poll_interval`` while it is down (the fallback is logged once
per outage); Redis is reconnected with exponential backoff (``sleep`` is
the wait; ``gatepass.revocation.subscriber``), and a reconnect
triggers an immediate poll for what was missed. The feed cursor is kept apart
from the list's own cursor, so an entry pushed by Redis never makes the poll
skip entries it has not read. Expired entries are purged every
``purge_interval``; ``max_entries`` bounds memory.

Everything runs on the Authenticator's event loop; ``is_revoked`` is a few
dict lookups on the hot path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import httpx
import orjson

from gatepass.errors import ConfigError
from gatepass.remote.bodies import REQUEST_HEADERS, BodyError, read_capped
from gatepass.remote.urls import checked_url
from gatepass.revocation.list import RevocationList
from gatepass.revocation.subscriber import RedisSubscriber, Sleep
from gatepass.revocation.wire import DEFAULT_CHANNEL, entry_from_json
from gatepass.store.records import Revocation

__all__ = ["RevocationSync"]

log = logging.getLogger("gatepass.protect")

FIRST_BACKOFF: Final = 0.25
PAGE: Final = 1000
MAX_PAGES_PER_POLL: Final = 50
MAX_FEED_BYTES: Final = 4 * 1024 * 1024


class _FeedError(Exception):
    """Why a feed read failed, in words gatepass chose."""


class RevocationSync:
    """The revocation list of one resource server and the tasks that keep it current."""

    def __init__(
        self,
        *,
        auth_url: str | None = None,
        feed_token: str | None = None,
        auth_prefix: str = "/auth",
        redis_url: str | None = None,
        channel: str = DEFAULT_CHANNEL,
        poll_interval: float = 0.5,
        reconcile_interval: float = 30.0,
        purge_interval: float = 30.0,
        timeout: float = 5.0,
        max_backoff: float = 30.0,
        max_entries: int = 1_000_000,
        allow_insecure_loopback: bool = False,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if auth_url is None and redis_url is None:
            raise ConfigError("Revocation sync needs an auth server URL (feed) or a Redis URL")
        if auth_url is not None and not feed_token:
            raise ConfigError("The revocation feed needs its bearer token")
        if min(poll_interval, reconcile_interval, purge_interval, timeout, max_backoff) <= 0:
            raise ValueError("intervals, timeout and max_backoff must be positive")
        self.feed_url = None
        if auth_url is not None:
            base = checked_url(
                auth_url,
                what="The auth server URL",
                allow_insecure_loopback=allow_insecure_loopback,
            )
            self.feed_url = f"{base.rstrip('/')}{auth_prefix}/revocations"
        self.revoked = RevocationList(max_entries=max_entries)
        self._feed_token = feed_token
        self._channel = channel
        self.poll_interval, self.reconcile_interval = poll_interval, reconcile_interval
        self.purge_interval, self.timeout, self.max_backoff = purge_interval, timeout, max_backoff
        self._http, self._owns_http = http, http is None
        self._clock = clock
        self._feed_cursor = 0
        self._feed_down = False
        self._redis_down = False
        self._subscriber: RedisSubscriber | None = None
        if redis_url is not None:
            self._subscriber = RedisSubscriber(
                redis_url,
                channel,
                self,
                log=log,
                connect_timeout=timeout,
                first_backoff=FIRST_BACKOFF,
                max_backoff=max_backoff,
                sleep=sleep,
            )
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- the hot path -------------------------------------------------------------

    @property
    def redis_connected(self) -> bool:
        """Following the Redis channel right now."""
        return self._subscriber is not None and self._subscriber.connected

    @property
    def channel(self) -> str:
        """The Redis channel followed: ``<the server's GATEPASS_REDIS_KEY_PREFIX>:revocations``."""
        return self._channel

    def is_revoked(self, claims: Mapping[str, Any], now: float) -> bool:
        return self.revoked.is_revoked(claims, now)

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        """Read the feed to its end (when configured), then follow Redis and/or poll."""
        if self._tasks:
            return
        self._wake = asyncio.Event()
        if self.feed_url is not None:
            await self.poll()
            self._tasks.append(asyncio.create_task(self._poll_loop(), name="gatepass feed poll"))
        if self._subscriber is not None:
            self._tasks.append(
                asyncio.create_task(self._subscriber.run(), name="gatepass redis sub")
            )
        self._tasks.append(asyncio.create_task(self._purge_loop(), name="gatepass purge"))

    async def close(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    # -- the feed --------------------------------------------------------------------

    async def poll(self) -> int:
        """Read the feed from the cursor to its end; how many entries were applied."""
        applied = 0
        try:
            for _ in range(MAX_PAGES_PER_POLL):
                entries, cursor = await self._read_page()
                self.revoked.apply(entries)
                applied += len(entries)
                self._feed_cursor = max(self._feed_cursor, cursor)
                if len(entries) < PAGE:
                    break
        except _FeedError as exc:
            if not self._feed_down:
                log.warning("revocation feed unreachable (%s); retrying", exc)
            self._feed_down = True
        else:
            if self._feed_down:
                log.warning("revocation feed reachable again")
            self._feed_down = False
        return applied

    async def _read_page(self) -> tuple[list[Revocation], int]:
        assert self.feed_url is not None
        if self._http is None:
            self._http = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        params = {"since": str(self._feed_cursor), "limit": str(PAGE)}
        headers = {**REQUEST_HEADERS, "Authorization": f"Bearer {self._feed_token}"}
        try:
            async with asyncio.timeout(self.timeout):
                body = await self._download(self._http, params, headers)
        except TimeoutError:
            raise _FeedError("timed out") from None
        except httpx.HTTPError as exc:
            raise _FeedError(f"transport error ({type(exc).__name__})") from None
        try:
            data = orjson.loads(body)
            raw, cursor = data["entries"], data["cursor"]
            if not isinstance(raw, list) or len(raw) > PAGE:
                raise ValueError("entries")
            if isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0:
                raise ValueError("cursor")
            entries = [entry_from_json(item) for item in raw]
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError):
            raise _FeedError("the answer is not a revocation page") from None
        return entries, cursor

    async def _download(
        self, http: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str]
    ) -> bytes:
        """The page's body, read within MAX_FEED_BYTES (streamed: never more is held)."""
        # follow_redirects=False per request: a caller's client may follow them by default.
        assert self.feed_url is not None
        async with http.stream(
            "GET", self.feed_url, params=params, headers=headers, follow_redirects=False
        ) as reply:
            if reply.status_code != 200:
                raise _FeedError(f"HTTP status {reply.status_code}")
            try:
                return await read_capped(reply, MAX_FEED_BYTES)
            except BodyError as exc:
                raise _FeedError(str(exc)) from None

    async def _poll_loop(self) -> None:
        while True:
            interval = self.reconcile_interval if self.redis_connected else self.poll_interval
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._wake.wait()
            self._wake.clear()
            await self.poll()

    # -- Redis: the subscriber's listener (``gatepass.revocation.subscriber``) -------

    def received(self, entry: Revocation) -> None:
        self.revoked.apply([entry])

    async def joined(self) -> None:
        if self._redis_down:
            log.warning("revocation channel on Redis is back")
        self._redis_down = False
        self._wake.set()  # read what was published while the channel was not followed

    def lost(self, error: BaseException) -> None:
        self._wake.set()
        if self._redis_down:
            return
        self._redis_down = True
        if self.feed_url is not None:
            log.warning(
                "Redis unreachable for revocations (%s); polling the feed every %.1f s "
                "until it is back",
                type(error).__name__,
                self.poll_interval,
            )
        else:
            log.error(
                "Redis unreachable for revocations (%s) and no feed is configured: "
                "revocations are not received until it is back",
                type(error).__name__,
            )

    # -- memory ----------------------------------------------------------------------

    async def _purge_loop(self) -> None:
        while True:
            await asyncio.sleep(self.purge_interval)
            self.revoked.purge(self._clock())
