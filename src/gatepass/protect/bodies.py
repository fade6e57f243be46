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

__all__ = ["REQUEST_HEADERS", "BodyError", "read_capped"]

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


async def read_capped(reply: httpx.Response, max_bytes: int) -> bytes:
    """The body of a streamed ``reply``; BodyError when over ``max_bytes`` or oddly encoded."""
    length = _declared_length(reply)
    if length is not None and length > max_bytes:
        raise BodyError("the answer is larger than allowed")
    coding = reply.headers.get("content-encoding", "").strip().lower()
    if coding in _IDENTITY:
        inflater = None
    elif coding in _GZIP:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    else:
        raise BodyError("the answer has an unsupported content encoding")
    body = bytearray()
    try:
        async for chunk in reply.aiter_raw():
            while chunk:
                if inflater is None:
                    body += chunk
                    chunk = b""
                else:
                    body += inflater.decompress(chunk, max_bytes + 1 - len(body))
                    chunk = inflater.unconsumed_tail
                if len(body) > max_bytes:
                    raise BodyError("the answer is larger than allowed")
        if inflater is not None:
            body += inflater.flush()  # all input was taken: only what zlib still holds
            if len(body) > max_bytes:
                raise BodyError("the answer is larger than allowed")
    except zlib.error:
        raise BodyError("the answer is not valid gzip") from None
    return bytes(body)
