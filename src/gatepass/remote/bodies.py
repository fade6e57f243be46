"""Reading a configured endpoint's answer (JWKS, revocation feed) within a byte cap.

The cap holds for the *decoded* body: the request asks for ``identity``; an
answer gzip-compressed anyway is inflated here in bounded steps (never more
than ``max_bytes + 1`` bytes out), and any other content coding is refused.
httpx's own decoding inflates each network chunk in one go, so a small
compressed answer (a "zip bomb") would otherwise take hundreds of megabytes
before the cap is ever checked.
"""

from __future__ import annotations

import zlib
from typing import Final

import httpx

__all__ = ["REQUEST_HEADERS", "BodyError", "read_capped", "read_capped_sync"]

#: Sent with every fetch: JSON, not compressed.
REQUEST_HEADERS: Final = {"Accept": "application/json", "Accept-Encoding": "identity"}

_GZIP: Final = frozenset({"gzip", "x-gzip"})
_IDENTITY: Final = frozenset({"", "identity"})


class BodyError(Exception):
    """Why a body was not read, in words gatepass chose (never the body)."""


def _declared_length(reply: httpx.Response) -> int | None:
    length = reply.headers.get("content-length")
    if length is None or not (length.isascii() and length.isdigit()):
        return None
    return int(length)


class _CappedBody:
    """The decoded body so far; BodyError as soon as it passes ``max_bytes``."""

    def __init__(self, reply: httpx.Response, max_bytes: int) -> None:
        length = _declared_length(reply)
        if length is not None and length > max_bytes:
            raise BodyError("the answer is larger than allowed")
        coding = reply.headers.get("content-encoding", "").strip().lower()
        if coding in _IDENTITY:
            self._inflater = None
        elif coding in _GZIP:
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            raise BodyError("the answer has an unsupported content encoding")
        self._max = max_bytes
        self._body = bytearray()

    def add(self, chunk: bytes) -> None:
        try:
            while chunk:
                if self._inflater is None:
                    self._body += chunk
                    chunk = b""
                else:
                    self._body += self._inflater.decompress(chunk, self._max + 1 - len(self._body))
                    chunk = self._inflater.unconsumed_tail
                if len(self._body) > self._max:
                    raise BodyError("the answer is larger than allowed")
        except zlib.error:
            raise BodyError("the answer is not valid gzip") from None

    def finish(self) -> bytes:
        if self._inflater is not None:
            try:
                self._body += self._inflater.flush()  # all input was taken: what zlib holds
            except zlib.error:
                raise BodyError("the answer is not valid gzip") from None
            if len(self._body) > self._max:
                raise BodyError("the answer is larger than allowed")
        return bytes(self._body)


async def read_capped(reply: httpx.Response, max_bytes: int) -> bytes:
    """The body of a streamed ``reply``; BodyError when over ``max_bytes`` or oddly encoded."""
    body = _CappedBody(reply, max_bytes)
    async for chunk in reply.aiter_raw():
        body.add(chunk)
    return body.finish()


def read_capped_sync(reply: httpx.Response, max_bytes: int) -> bytes:
    """``read_capped`` for a reply streamed by a synchronous ``httpx.Client``."""
    body = _CappedBody(reply, max_bytes)
    for chunk in reply.iter_raw():
        body.add(chunk)
    return body.finish()
