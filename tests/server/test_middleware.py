"""gatepass's own ASGI middleware, called directly: the body cap and the security headers."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from gatepass.server.middleware import (
    API_CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    BodyLimit,
    SecurityHeaders,
    mark_credentialed,
)


def scope_of(
    path: str = "/x", headers: list[tuple[bytes, bytes]] | None = None, version: str = "1.1"
) -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "http_version": version,
        "headers": headers or [],
    }


async def run(app: Any, scope: Scope, chunks: list[bytes] | None = None) -> list[Message]:
    bodies = list(chunks or [b""])

    async def receive() -> Message:
        body = bodies.pop(0) if bodies else b""
        return {"type": "http.request", "body": body, "more_body": bool(bodies)}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def answering(
    headers: list[tuple[bytes, bytes]] | None = None, *, credentialed: bool = False
) -> Any:
    """An app that reads its whole body, then answers 200 with ``headers``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        if credentialed:
            mark_credentialed(scope)
        await send({"type": "http.response.start", "status": 200, "headers": headers or []})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


async def test_a_request_without_a_body_goes_straight_through() -> None:
    seen: list[Receive] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(receive)
        await answering()(scope, receive, send)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        pass

    await BodyLimit(app, max_bytes=4)(scope_of(), receive, send)
    assert seen == [receive]  # not wrapped: nothing to count


@pytest.mark.parametrize(
    ("version", "headers"),
    [
        ("1.1", [(b"transfer-encoding", b"chunked")]),
        ("2", []),  # HTTP/2 streams a body without either header
    ],
)
async def test_a_streamed_body_over_the_cap_is_413(
    version: str, headers: list[tuple[bytes, bytes]]
) -> None:
    sent = await run(
        BodyLimit(answering(), max_bytes=4),
        scope_of(headers=headers, version=version),
        [b"abc"] * 3,
    )
    assert sent[0]["status"] == 413


async def test_a_declared_body_over_the_cap_is_413_and_under_it_is_read() -> None:
    big = scope_of(headers=[(b"content-length", b"5")])
    assert (await run(BodyLimit(answering(), max_bytes=4), big, [b"abcde"]))[0]["status"] == 413
    small = scope_of(headers=[(b"content-length", b"3")])
    assert (await run(BodyLimit(answering(), max_bytes=4), small, [b"abc"]))[0]["status"] == 200


def headers_of(sent: list[Message]) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = sent[0]["headers"]
    return headers


async def test_every_answer_gets_the_security_headers_and_the_api_csp() -> None:
    sent = await run(SecurityHeaders(answering(), auth_prefix="/auth"), scope_of("/x"))
    csp = (b"content-security-policy", API_CONTENT_SECURITY_POLICY.encode())
    assert headers_of(sent) == [*SECURITY_HEADERS, csp]


async def test_a_page_keeps_its_own_csp() -> None:
    own = [(b"content-security-policy", b"default-src 'self'")]
    sent = await run(SecurityHeaders(answering(own), auth_prefix="/auth"), scope_of("/console"))
    assert headers_of(sent) == [*own, *SECURITY_HEADERS]


async def test_auth_answers_are_not_stored_unless_they_say_otherwise() -> None:
    middleware = SecurityHeaders(answering(), auth_prefix="/auth")
    assert (b"cache-control", b"no-store") in headers_of(await run(middleware, scope_of("/auth/x")))
    cached = [(b"cache-control", b"max-age=60")]
    middleware = SecurityHeaders(answering(cached), auth_prefix="/auth")
    headers = headers_of(await run(middleware, scope_of("/auth/jwks")))
    assert [v for k, v in headers if k == b"cache-control"] == [b"max-age=60"]


async def test_a_credentialed_answer_is_private_whatever_the_route_said() -> None:
    app = answering([(b"cache-control", b"max-age=60")], credentialed=True)
    headers = headers_of(await run(SecurityHeaders(app, auth_prefix="/auth"), scope_of("/me")))
    assert [v for k, v in headers if k == b"cache-control"] == [b"no-store"]
    assert (b"vary", b"Authorization, Cookie") in headers
