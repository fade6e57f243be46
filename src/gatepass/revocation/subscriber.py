"""The one Redis subscriber loop: follow the revocation channel, reconnect with backoff.

Both the auth server (``server_sync``) and ``gatepass.protect`` (``protect_sync``)
run a ``RedisSubscriber``; what they do on each event is their ``ChannelListener``:

- ``joined()``: the channel is followed (again); read what was missed meanwhile;
- ``received(entry)``: an entry pushed by another process;
- ``lost(error)``: Redis failed; the loop waits ``backoff`` and reconnects, the
  wait doubling from ``first_backoff`` up to ``max_backoff`` and starting again
  at ``first_backoff`` once subscribed.

A message that is not one wire entry is ignored and logged at WARNING (on the
listener's logger): it means a publisher of another version, or someone else
writing to the channel. ``sleep`` is the wait between attempts (tests pass
their own). ``redis`` is imported when the loop runs, so importing
``gatepass.protect`` does not import it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from gatepass.revocation.wire import entry_from_message
from gatepass.store.records import Revocation

__all__ = ["ChannelListener", "RedisSubscriber", "Sleep"]

#: Seconds one ``get_message`` waits before the loop looks again.
MESSAGE_WAIT_S = 1.0
HEALTH_CHECK_INTERVAL_S = 10

Sleep = Callable[[float], Awaitable[None]]


class ChannelListener(Protocol):
    """What a ``RedisSubscriber`` reports to."""

    async def joined(self) -> None: ...

    def received(self, entry: Revocation) -> None: ...

    def lost(self, error: BaseException) -> None: ...


class RedisSubscriber:
    """Follows ``channel`` on the Redis at ``url`` until cancelled; ``connected`` says if now."""

    def __init__(
        self,
        url: str,
        channel: str,
        listener: ChannelListener,
        *,
        log: logging.Logger,
        connect_timeout: float,
        socket_timeout: float | None = None,
        first_backoff: float,
        max_backoff: float,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.url, self.channel = url, channel
        self._listener = listener
        self._log = log
        self._connect_timeout, self._socket_timeout = connect_timeout, socket_timeout
        self._first_backoff = min(first_backoff, max_backoff)
        self._max_backoff = max_backoff
        self._sleep = sleep
        self.connected = False

    async def run(self) -> None:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        failures = (RedisError, OSError, TimeoutError)
        backoff = self._first_backoff
        while True:
            client = Redis.from_url(
                self.url,
                socket_timeout=self._socket_timeout,
                socket_connect_timeout=self._connect_timeout,
                health_check_interval=HEALTH_CHECK_INTERVAL_S,
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.connected = True
                backoff = self._first_backoff
                await self._listener.joined()
                while True:
                    message = await pubsub.get_message(timeout=MESSAGE_WAIT_S)
                    if message is not None and message.get("type") == "message":
                        self._deliver(message.get("data"))
            except failures as error:
                self.connected = False
                self._listener.lost(error)
            finally:
                self.connected = False
                with contextlib.suppress(*failures):
                    await pubsub.aclose()
                with contextlib.suppress(*failures):
                    await client.aclose()
            await self._sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    def _deliver(self, data: object) -> None:
        try:
            entry = entry_from_message(data)
        except ValueError:
            self._log.warning("ignored a malformed message on the revocation channel")
            return
        self._listener.received(entry)
