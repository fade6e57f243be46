"""Request-head limits for uvicorn: a size cap answered with 431, and a read deadline.

uvicorn's httptools protocol reads a request head of any size, for as long as
the client takes (a 200 MB header got 200 OK; connections holding half a head
stayed open forever). ``HeadLimitedProtocol`` is that protocol with two limits:

- **size**: the head (request line and header lines) may be at most
  ``max_bytes``. The parser is fed no more than the current head may still
  take, so a head over the limit is refused with 431 (the
  ``{"error","message"}`` body and the security headers) as soon as
  ``max_bytes`` of it arrived without its end; nothing more is read. A pipelined
  request that starts inside the same piece of input as the end of the one
  before is counted from the end of that piece, so it may pass with up to
  ``2 * max_bytes``: still bounded.
- **time**: a connection that has not completed a head ``timeout`` seconds
  after it opened, or after the first byte of a later request on it, is closed.
  Idle keep-alive connections are uvicorn's own ``timeout_keep_alive``.

Granian enforces the same two limits itself (``HTTP1Settings``); see
``gatepass.cli.runners``. Outside ``gatepass.server`` on purpose: uvicorn's
worker processes import this module before their health check answers, and
``gatepass.server`` would load the whole app first.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from gatepass.securityheaders import SECURITY_HEADERS

__all__ = ["HEADERS_TOO_LARGE", "HeadLimitedProtocol", "HeadLimits", "refusal"]

HEADERS_TOO_LARGE = {
    "error": "headers_too_large",
    "message": "The request headers are too large",
}


@dataclass(frozen=True, slots=True)
class HeadLimits:
    max_bytes: int
    timeout: float


def refusal(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """The whole 431 response, written straight to the connection."""
    body = json.dumps(HEADERS_TOO_LARGE, separators=(",", ":")).encode()
    headers = [
        *default_headers,
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *SECURITY_HEADERS,
        (b"connection", b"close"),
    ]
    lines = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return b"HTTP/1.1 431 Request Header Fields Too Large\r\n" + lines + b"\r\n" + body


class HeadLimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with ``HeadLimits`` (pass it to uvicorn via a partial)."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: HeadLimits,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        # Bytes of the current head fed to the parser; None once it is complete.
        self.head_bytes: int | None = 0
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        start = 0  # pieces by offset: each byte is copied at most once
        while start < len(data) and self._open():
            head = self.head_bytes
            room = self.limits.max_bytes - (head or 0)
            piece = data if start == 0 and len(data) <= room else data[start : start + room]
            start += len(piece)
            if head is not None:
                self.head_bytes = head + len(piece)
            super().data_received(piece)
            # Still in the same head (no completion reset the count) and at the cap:
            # completing it takes at least one more byte.
            if self.head_bytes is not None and self.head_bytes >= self.limits.max_bytes:
                self._refuse()
                return

    def _open(self) -> bool:
        """Still this protocol's connection (not closed, not handed to another protocol)."""
        return not self.transport.is_closing() and self.transport.get_protocol() is self

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.head_deadline is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.head_bytes = 0
        super().on_message_complete()

    def _refuse(self) -> None:
        self.logger.info("request refused: headers_too_large")
        self.transport.write(refusal(self.server_state.default_headers))
        self.transport.close()

    def _arm(self) -> None:
        self.head_deadline = self.loop.call_later(self.limits.timeout, self._expire)

    def _disarm(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _expire(self) -> None:
        self.head_deadline = None
        if self.head_bytes is not None and not self.transport.is_closing():
            self.transport.close()
