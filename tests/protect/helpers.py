"""Shared by the protect and examples tests: tokens, a fake JWKS/feed server, bounded waits."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gatepass.jose import Key
from gatepass.revocation import entry_to_json
from gatepass.store.records import Revocation, RevocationKind
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.encryption import AccessTokenEncryption

ISSUER = "https://auth.example.test"
AUDIENCE = "gatepass"
FEED_TOKEN = "feed-token-for-tests-only"
SECRET = "kR3v9pQ2xW7mZ4tL8yB1nC6fH0jD5sGa"


def mint(
    key: Key,
    *,
    role: str = "user",
    sid: str = "session-1",
    user_id: str = "user-1",
    email: str = "ada@example.com",
    ttl: int = 900,
    now: float | None = None,
    encryption: AccessTokenEncryption | None = None,
    issuer: str = ISSUER,
    amr: Sequence[str] | None = None,
    auth_time: float | None = None,
) -> str:
    """An access token exactly as the auth server issues it."""
    maker = AccessTokenIssuer(issuer, AUDIENCE, ttl, encryption)
    token, _ = maker.issue(
        key,
        user_id=user_id,
        email=email,
        role=role,
        session_id=sid,
        now=time.time() if now is None else now,
        amr=amr,
        auth_time=auth_time,
    )
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(
    app: Any, *, port: int | None = None, lifespan: Literal["on", "off"] = "off"
) -> Iterator[str]:
    """``app`` served by a real uvicorn on 127.0.0.1 (in a thread); yields its URL.

    ``port`` defaults to a free one; ``lifespan="on"`` runs the app's startup
    (a gatepass server's store and keys) before the URL is yielded.
    """
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="error",
        lifespan=lifespan,
        ws="none",
        http="h11",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float, every: float = 0.02
) -> float:
    """Seconds until ``check()`` holds; AssertionError when it does not within ``within`` s."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > within:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(every)
    return time.monotonic() - start


@dataclass
class FakeAuthServer:
    """A JWKS endpoint and a revocation feed with the auth server's shapes, and counters."""

    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    jwks_mode: str = "ok"  # ok | slow | garbage | error | invalid | huge | secret | redirect | raw
    jwks_body: bytes = b""  # what "raw" answers, as it is
    redirect_to: str = ""
    jwks_delay: float = 2.0
    jwks_requests: int = 0
    feed_requests: int = 0
    entries: list[Revocation] = field(default_factory=list)

    def revoke(self, kind: RevocationKind, subject: str, *, ttl: float = 900) -> Revocation:
        now = time.time()
        entry = Revocation(len(self.entries) + 1, kind, subject, now, now, now + ttl)
        self.entries.append(entry)
        return entry

    def app(self) -> Starlette:
        async def jwks(_: Request) -> Response:
            self.jwks_requests += 1
            if self.jwks_mode == "slow":
                await asyncio.sleep(self.jwks_delay)
            if self.jwks_mode == "garbage":
                return Response(b"<html>not json", media_type="text/html")
            if self.jwks_mode == "error":
                return JSONResponse({"error": "boom"}, 500)
            if self.jwks_mode == "invalid":
                return JSONResponse({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]})
            if self.jwks_mode == "secret":
                return JSONResponse({"keys": [Key.generate("HS256").export_jwk(private=True)]})
            if self.jwks_mode == "redirect":
                return Response(status_code=302, headers={"Location": self.redirect_to})
            if self.jwks_mode == "raw":
                return Response(self.jwks_body, media_type="application/json")
            if self.jwks_mode == "huge":
                return Response(b" " * 300_000 + orjson.dumps(self.jwks))
            return JSONResponse(self.jwks)

        async def feed(request: Request) -> Response:
            self.feed_requests += 1
            if request.headers.get("authorization") != f"Bearer {FEED_TOKEN}":
                return JSONResponse({"error": "invalid_token"}, 401)
            since = int(request.query_params["since"])
            limit = int(request.query_params["limit"])
            page = [e for e in self.entries if e.seq > since][:limit]
            cursor = page[-1].seq if page else since
            return JSONResponse({"entries": [entry_to_json(e) for e in page], "cursor": cursor})

        return Starlette(
            routes=[
                Route("/.well-known/jwks.json", jwks),
                Route("/auth/revocations", feed),
            ]
        )
