"""The one Redis subscriber loop both syncs run: entries in, bad messages out, backoff."""

from __future__ import annotations

import asyncio
import logging
import time

import orjson
import pytest
from redis.asyncio import Redis

from gatepass.revocation.subscriber import RedisSubscriber
from gatepass.revocation.wire import entry_to_json
from gatepass.store.records import Revocation
from tests.protect.helpers import eventually, free_port
from tests.services import redis_url, unique

LOG = logging.getLogger("gatepass.test.subscriber")


class Listener:
    """Records what the subscriber reports."""

    def __init__(self) -> None:
        self.joins = 0
        self.entries: list[Revocation] = []
        self.errors: list[BaseException] = []

    async def joined(self) -> None:
        self.joins += 1

    def received(self, entry: Revocation) -> None:
        self.entries.append(entry)

    def lost(self, error: BaseException) -> None:
        self.errors.append(error)


async def _true(value: bool) -> bool:
    return value


def subscriber(
    url: str, channel: str, listener: Listener, waits: list[float], *, first: float, most: float
) -> RedisSubscriber:
    """A subscriber whose backoff waits are recorded in ``waits`` (and last 10 ms each)."""

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0.01)

    return RedisSubscriber(
        url,
        channel,
        listener,
        log=LOG,
        connect_timeout=0.5,
        first_backoff=first,
        max_backoff=most,
        sleep=sleep,
    )


async def test_an_unreachable_redis_is_retried_with_doubling_capped_backoff() -> None:
    listener, waits = Listener(), list[float]()
    dead = f"redis://127.0.0.1:{free_port()}/0"
    sub = subscriber(dead, "gatepass:revocations", listener, waits, first=0.5, most=3)
    task = asyncio.create_task(sub.run())
    try:
        await eventually(lambda: _true(len(waits) >= 5), within=5.0)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert waits[:5] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert len(listener.errors) >= 5  # one lost() per failed attempt
    assert listener.joins == 0
    assert not sub.connected


@pytest.mark.redis
async def test_entries_arrive_and_a_bad_message_is_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, channel = redis_url(), unique("gp_sub") + ":revocations"
    listener, waits = Listener(), list[float]()
    sub = subscriber(url, channel, listener, waits, first=0.05, most=0.05)
    task = asyncio.create_task(sub.run())
    now = time.time()
    entry = Revocation(3, "jti", "j-1", now, now, now + 900)
    try:
        await eventually(lambda: _true(sub.connected), within=5.0)
        assert listener.joins == 1
        with caplog.at_level(logging.DEBUG, LOG.name):
            async with Redis.from_url(url) as client:
                assert await client.publish(channel, b"not json") == 1
                assert await client.publish(channel, orjson.dumps(entry_to_json(entry))) == 1
            await eventually(lambda: _true(listener.entries == [entry]), within=2.0)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    bad = [r for r in caplog.records if "malformed message" in r.getMessage()]
    assert [(r.name, r.levelno) for r in bad] == [(LOG.name, logging.WARNING)]
    assert waits == []  # never lost the channel
    assert not sub.connected
