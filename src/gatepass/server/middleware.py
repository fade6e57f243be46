"""Pure ASGI middleware: a request-body cap, security headers, HTTPS in production."""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatepass.securityheaders import SECURITY_HEADERS
from gatepass.server.proxy import Network, forwarded_https

__all__ = [
    "API_CONTENT_SECURITY_POLICY",
    "SECURITY_HEADERS",
    "BodyLimit",
    "HttpsOnly",
    "SecurityHeaders",
    "mark_credentialed",
]


_TOO_LARGE = b'{"error":"payload_too_large","message":"The request body is too large"}'


_HTTP1: Final = frozenset({"1.0", "1.1"})


class _Overflow(Exception):
    pass


class BodyLimit:
    """Answer 413 for bodies over ``max_bytes``, declared or streamed (chunked)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = framed = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                framed = value
        if declared is None and framed is None and scope.get("http_version") in _HTTP1:
            # HTTP/1 without Content-Length or Transfer-Encoding: no body (RFC 9112
            # 6.3), as on the GETs of the hot paths; nothing to count. (HTTP/2 may
            # stream a body without either.)
            await self.app(scope, receive, send)
            return
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _reject(send)
            return
        seen = 0
        started = overflowed = replaced = False

        async def counting_receive() -> Message:
            nonlocal seen, overflowed
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    overflowed = True
                    raise _Overflow
            return message

        async def tracking_send(message: Message) -> None:
            # FastAPI catches _Overflow while reading the body and answers 400 itself:
            # whatever the app answers after an overflow becomes the 413.
            nonlocal started, replaced
            if replaced:
                return
            if overflowed and not started:
                started = replaced = True
                await _reject(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _Overflow:
            if not started:
                await _reject(send)


async def _reject(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": _TOO_LARGE})


# On every answer (SECURITY_HEADERS, from gatepass.securityheaders). An API answer
# is never a page: no script, no frame. The console and the docs pages send their
# own, looser, Content-Security-Policy.
API_CONTENT_SECURITY_POLICY: Final = "default-src 'none'; frame-ancestors 'none'"
_CREDENTIALED: Final = "gatepass.credentialed"
_CSP: Final = b"content-security-policy"
_CACHE_CONTROL: Final = b"cache-control"
# Computed once: what every answer gets, with or without a CSP of its own.
_WITH_API_CSP: Final = (*SECURITY_HEADERS, (_CSP, API_CONTENT_SECURITY_POLICY.encode()))
_NO_STORE: Final = (_CACHE_CONTROL, b"no-store")
_VARY: Final = (b"vary", b"Authorization, Cookie")
# What an answer gets, by (it has its own CSP, it is private, it gets no-store): built once.
_ADDED: Final = {
    (csp, private, no_store): (
        *(SECURITY_HEADERS if csp else _WITH_API_CSP),
        *((_VARY,) if private else ()),
        *((_NO_STORE,) if no_store else ()),
    )
    for csp in (False, True)
    for private in (False, True)
    for no_store in (False, True)
}


def mark_credentialed(scope: Scope) -> None:
    """Record that this answer depends on the caller's credentials (SecurityHeaders reads it)."""
    scope[_CREDENTIALED] = True


class SecurityHeaders:
    """The security headers on every answer, errors included; no caching of private answers.

    ``Cache-Control: no-store`` goes on anything under the auth prefix and, with
    ``Vary: Authorization, Cookie``, on every answer whose route read the
    caller's credentials (``mark_credentialed``): a shared cache must never hand
    one user's answer to another. Outermost of gatepass's middleware, so the 413
    of ``BodyLimit`` and the 400 of ``HttpsOnly`` carry the headers too.
    """

    def __init__(self, app: ASGIApp, auth_prefix: str) -> None:
        self.app, self.auth_prefix = app, auth_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        under_prefix = str(scope.get("path", "")).startswith(self.auth_prefix)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                has_csp = has_cache_control = False
                for name, _ in headers:
                    name = name.lower()
                    has_csp = has_csp or name == _CSP
                    has_cache_control = has_cache_control or name == _CACHE_CONTROL
                private = bool(scope.get(_CREDENTIALED))
                if private and has_cache_control:
                    headers = [(k, v) for k, v in headers if k.lower() != _CACHE_CONTROL]
                no_store = private or (under_prefix and not has_cache_control)
                added = _ADDED[has_csp, private, no_store]
                message = {**message, "headers": [*headers, *added]}
            await send(message)

        await self.app(scope, receive, with_headers)


_HTTPS_REQUIRED = b'{"error":"https_required","message":"This server only accepts HTTPS"}'
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


class HttpsOnly:
    """Production: refuse plain HTTP (unless a trusted proxy says https) and send HSTS."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app, self.trusted = app, trusted

    def _is_https(self, scope: Scope) -> bool:
        return scope.get("scheme") == "https" or forwarded_https(scope, self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._is_https(scope):
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": _HTTPS_REQUIRED})
            return

        async def with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), _HSTS]}
            await send(message)

        await self.app(scope, receive, with_hsts)
