"""``HeadLimitedProtocol`` fed by hand: a fake transport, and a loop whose timers the test fires.

tests/cli/test_runners.py drives it through a real ``gatepass serve``; these
pin the counting and the deadline without sockets or sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from gatepass.headlimit import HeadLimitedProtocol, HeadLimits

LIMIT = 8192
TIMEOUT_S = 5.0


@dataclass
class Timer:
    delay: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class Task:
    def add_done_callback(self, _: object) -> None:
        pass


@dataclass
class Loop:
    """Only what the protocol calls: timers kept for the test, tasks counted and dropped."""

    timers: list[Timer] = field(default_factory=list)
    requests: int = 0

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        self.timers.append(Timer(delay, callback))
        return self.timers[-1]

    def create_task(self, coro: Coroutine[Any, Any, None]) -> Task:
        coro.close()  # the app is not what is tested here
        self.requests += 1
        return Task()

    def live(self) -> list[Timer]:
        return [t for t in self.timers if not t.cancelled]


@dataclass
class Transport:
    written: bytearray = field(default_factory=bytearray)
    closed: bool = False
    protocol: object = None

    def get_extra_info(self, name: str) -> object:
        return None

    def get_protocol(self) -> object:
        return self.protocol

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def app(scope: object, receive: object, send: object) -> None:
    raise AssertionError("never awaited")


Wire = tuple[HeadLimitedProtocol, Transport, Loop]


@pytest.fixture
def wire() -> Wire:
    loop, transport = Loop(), Transport()
    config = Config(app, log_config=None)
    protocol = HeadLimitedProtocol(
        config,
        ServerState(),
        {},
        cast(asyncio.AbstractEventLoop, loop),
        limits=HeadLimits(LIMIT, TIMEOUT_S),
    )
    transport.protocol = protocol
    protocol.connection_made(cast(asyncio.Transport, transport))
    return protocol, transport, loop


def head(size: int, start: bytes = b"GET / HTTP/1.1\r\nHost: x\r\n") -> bytes:
    """A request head of exactly ``size`` bytes."""
    start, end = start + b"X-Pad: ", b"\r\n\r\n"
    return start + b"a" * (size - len(start) - len(end)) + end


def test_a_head_trickled_in_small_writes_is_refused_at_the_limit(wire: Wire) -> None:
    protocol, transport, loop = wire
    data = head(LIMIT + 1)
    for i in range(0, LIMIT - 100, 100):
        protocol.data_received(data[i : i + 100])
    assert not transport.is_closing()
    protocol.data_received(data[LIMIT - 100 :])
    assert transport.written.startswith(b"HTTP/1.1 431 ")
    assert transport.is_closing()
    assert loop.requests == 0


def test_a_head_of_exactly_the_limit_then_a_body_in_one_write_is_a_request(wire: Wire) -> None:
    protocol, transport, loop = wire
    request = head(LIMIT, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 40000\r\n")
    assert len(request) == LIMIT
    protocol.data_received(request + b"x" * 40000)
    assert loop.requests == 1
    assert not transport.is_closing()
    assert transport.written == b""


def test_a_pipelined_head_is_still_bounded_to_twice_the_limit(wire: Wire) -> None:
    protocol, transport, loop = wire
    protocol.data_received(head(200) + head(LIMIT * 3))
    assert loop.requests == 1  # the first one only
    assert transport.written.startswith(b"HTTP/1.1 431 ")
    assert transport.is_closing()


def test_a_connection_without_a_head_is_closed_at_the_deadline(wire: Wire) -> None:
    protocol, transport, loop = wire
    (timer,) = loop.live()
    assert timer.delay == TIMEOUT_S
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n")
    timer.callback()
    assert transport.is_closing()
    assert transport.written == b""


def test_a_complete_head_stops_the_deadline_and_the_next_request_starts_its_own(
    wire: Wire,
) -> None:
    protocol, transport, loop = wire
    protocol.data_received(head(300))
    assert loop.requests == 1
    assert loop.live() == []
    protocol.data_received(b"GET / HTTP/1.1\r\n")  # the next request, half sent
    (timer,) = loop.live()
    timer.callback()
    assert transport.is_closing()
