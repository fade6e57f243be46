"""Keeping this server's revocation list in step with the database and the other servers.

- At start the list is warmed from ``live_revocations(now)``.
- Every ``GATEPASS_REVOCATION_POLL`` seconds the entries after the database
  cursor are read (``revocations_since``), so a revocation made anywhere
  (another server, the CLI) reaches this server within one poll period.
- With ``GATEPASS_REDIS_URL``, every revocation this server makes is also
  published on ``<GATEPASS_REDIS_KEY_PREFIX>:revocations`` (default
  ``gatepass:revocations``) and the channel is followed: other servers apply
  it at once (``gatepass.revocation.subscriber``). Polling stays the safety
  net; Redis being down is logged once.
- A revocation made by this server is applied to its own list before the
  response that made it is sent: the server's routes (and the console) use
  the store through ``gatepass.revocation.recording.recording(store, sync)``,
  which hands every entry the store creates to ``record`` / ``session_revoked``.
- Expired entries are purged from memory every few seconds and from the
  database every minute.

The database cursor is kept apart from the list's own cursor: an entry pushed
by Redis must not let the poll skip entries it has not read yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from gatepass.background import Outage, Periodic
from gatepass.revocation.list import RevocationList
from gatepass.revocation.subscriber import RedisSubscriber
from gatepass.revocation.wire import channel_for, entry_to_json
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.store.records import Revocation

__all__ = ["ServerRevocationSync"]

log = logging.getLogger("gatepass.server")

PAGE = 1000
MAX_PAGES_PER_POLL = 20
MEMORY_PURGE_S = 5.0
DATABASE_PURGE_S = 60.0
REDIS_TIMEOUT_S = 1.0
REDIS_BACKOFF_MAX_S = 30.0
PUBLISH_QUEUE = 10_000


class ServerRevocationSync:
    """The server's ``RevocationList`` and the tasks that keep it current."""

    def __init__(
        self, store: Store, settings: Settings, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.revoked = RevocationList()
        self._store = store
        self._clock = clock
        self._db_cursor = 0
        self._last_memory_purge = 0.0
        self._last_database_purge = 0.0
        self._poll = Periodic("revocation poll", settings.revocation_poll, self.poll)
        self._lock = asyncio.Lock()
        self._redis_url = settings.redis_url
        self._channel = channel_for(settings.redis_key_prefix)
        self.redis_outage = Outage("Redis (revocation push)")
        self._outbox: asyncio.Queue[Revocation] = asyncio.Queue(PUBLISH_QUEUE)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscriber: RedisSubscriber | None = None
        if self._redis_url is not None:
            self._subscriber = RedisSubscriber(
                self._redis_url,
                self._channel,
                self,
                log=log,
                connect_timeout=REDIS_TIMEOUT_S,
                socket_timeout=REDIS_TIMEOUT_S,
                first_backoff=REDIS_TIMEOUT_S / 2,
                max_backoff=REDIS_BACKOFF_MAX_S,
            )

    @property
    def subscribed(self) -> bool:
        """Following the Redis channel right now."""
        return self._subscriber is not None and self._subscriber.connected

    # --- lifecycle ------------------------------------------------------

    async def start(self) -> None:
        """Warm the list from the database, then start polling (and Redis, if set)."""
        now = self._clock()
        live = await self._store.live_revocations(now=now)
        self.revoked.apply(live)
        self._db_cursor = max((e.seq for e in live), default=0)
        self._last_memory_purge = self._last_database_purge = now
        self._poll.start()
        if self._subscriber is not None:
            url = self._subscriber.url
            self._tasks = [
                asyncio.create_task(self._subscriber.run(), name="gatepass revocation sub"),
                asyncio.create_task(self._publish(url), name="gatepass revocation pub"),
            ]

    async def stop(self) -> None:
        await self._poll.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    # --- the hot path ---------------------------------------------------

    def is_revoked(self, claims: Mapping[str, Any]) -> bool:
        return self.revoked.is_revoked(claims, self._clock())

    # --- revocations made here ------------------------------------------

    def record(self, entry: Revocation) -> None:
        """A revocation this server just stored: apply it now and tell the others."""
        self.revoked.apply([entry])
        if self._redis_url is None:
            return
        try:
            self._outbox.put_nowait(entry)
        except asyncio.QueueFull:  # Redis has been down a long time: polling delivers it
            log.debug("revocation publish queue full; dropping a push")

    async def session_revoked(self, session_id: str, now: float, until: float) -> None:
        """``store.revoke_session(..., denylist_until=until)`` just committed here.

        The store does not return that entry, so a provisional copy (seq 0,
        same effect) is applied at once, then the database is read for the
        real one, which is published.
        """
        self.revoked.apply([Revocation(0, "session", session_id, now, now, until)])
        await self.catch_up(session_id)

    async def catch_up(self, subject: str) -> None:
        """Read the database now (after a revocation whose entry the store did not return).

        The new entries are applied; those about ``subject`` were made here
        and are published. A failing read is left to the next poll.
        """
        for entry in await self._read_new_or_log():
            if entry.subject == subject:
                self.record(entry)

    async def _read_new_or_log(self) -> list[Revocation]:
        try:
            return await self._read_new()
        except Exception as error:  # the database is down: the poll logs it and retries
            log.debug("revocation read failed (%s)", type(error).__name__)
            return []

    # --- polling ----------------------------------------------------------

    async def poll(self) -> None:
        """One poll: new entries from the database, and the purges when due."""
        await self._read_new()
        now = self._clock()
        if now - self._last_memory_purge >= MEMORY_PURGE_S:
            self._last_memory_purge = now
            self.revoked.purge(now)
        if now - self._last_database_purge >= DATABASE_PURGE_S:
            self._last_database_purge = now
            await self._store.purge_revocations(now=now)

    async def _read_new(self) -> list[Revocation]:
        async with self._lock:  # the poll and a catch-up must not race on the cursor
            read: list[Revocation] = []
            for _ in range(MAX_PAGES_PER_POLL):
                page = await self._store.revocations_since(self._db_cursor, limit=PAGE)
                if not page:
                    break
                self.revoked.apply(page)
                self._db_cursor = max(self._db_cursor, page[-1].seq)
                read.extend(page)
                if len(page) < PAGE:
                    break
            return read

    # --- Redis ------------------------------------------------------------

    async def _publish(self, url: str) -> None:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        client = Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_S,
            socket_connect_timeout=REDIS_TIMEOUT_S,
            health_check_interval=10,
        )
        try:
            while True:
                entry = await self._outbox.get()
                try:
                    await client.publish(self._channel, orjson.dumps(entry_to_json(entry)))
                except (RedisError, OSError, TimeoutError) as error:
                    self.redis_outage.failed(error)
                else:
                    self.redis_outage.ok()
        finally:
            await client.aclose()

    # The subscriber's listener (``gatepass.revocation.subscriber.ChannelListener``).

    async def joined(self) -> None:
        self.redis_outage.ok()
        # Entries pushed while we were away come from the database.
        await self._read_new_or_log()

    def received(self, entry: Revocation) -> None:
        self.revoked.apply([entry])

    def lost(self, error: BaseException) -> None:
        self.redis_outage.failed(error)
