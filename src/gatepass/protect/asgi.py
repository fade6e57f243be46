"""``GatepassMiddleware``: a pure ASGI middleware for Starlette or any ASGI app.

Every ``http`` and ``websocket`` request whose path is not excluded must carry
a valid bearer token: the principal is then ``scope["gatepass.principal"]``;
otherwise the middleware answers the guide's 401 itself (a websocket is closed
with 1008 before it is accepted) and the app never sees the request.

``exclude`` entries are exact paths, or prefixes when they end with ``*``
(``"/public/*"``). On ``lifespan`` the middleware starts the Authenticator at
startup and closes it at shutdown. ``requires(roles=..., scopes=...)`` guards
one Starlette endpoint (403 without the access); its ``amr=``, ``acr=`` and
``max_age=`` ask for a login strong or recent enough (RFC 9470's 401), the age
judged on the clock of the middleware's Authenticator. The middleware has no
per-path rules of its own: a route's requirement is its endpoint's
``requires``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from gatepass.clock import system_clock
from gatepass.errors import GatepassError, MissingTokenError
from gatepass.protect.access import Access
from gatepass.protect.answers import answer_for
from gatepass.protect.authenticator import Authenticator
from gatepass.protect.fastapi_adapter import response_for
from gatepass.tokens.bearer import authorization_header, bearer_token
from gatepass.tokens.principal import Principal

__all__ = ["PRINCIPAL_KEY", "GatepassMiddleware", "principal_of", "requires"]

PRINCIPAL_KEY: Final = "gatepass.principal"
#: The Authenticator's clock, for ``requires``'s ``max_age``.
CLOCK_KEY: Final = "gatepass.clock"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Endpoint = Callable[[Request], Awaitable[Response]]


class GatepassMiddleware:
    """Authenticates every request before the app sees it (see the module docstring)."""

    def __init__(
        self, app: ASGIApp, *, authenticator: Authenticator, exclude: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        paths = list(exclude)
        self._exact = frozenset(p for p in paths if not p.endswith("*"))
        self._prefixes = tuple(p[:-1] for p in paths if p.endswith("*"))

    def _excluded(self, path: str) -> bool:
        return path in self._exact or (bool(self._prefixes) and path.startswith(self._prefixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.app(scope, self._lifespan_receive(receive), send)
            return
        if kind not in ("http", "websocket") or self._excluded(scope["path"]):
            await self.app(scope, receive, send)
            return
        auth = self.authenticator
        try:
            token = bearer_token(authorization_header(scope), auth.max_token_bytes)
            scope[PRINCIPAL_KEY] = await auth.authenticate(token)
            scope[CLOCK_KEY] = auth.clock
        except GatepassError as exc:
            await self._refuse(kind, exc, receive, send)
            return
        await self.app(scope, receive, send)

    def _lifespan_receive(self, receive: Receive) -> Receive:
        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.authenticator.start()
            elif message["type"] == "lifespan.shutdown":
                await self.authenticator.close()
            return message

        return wrapped

    @staticmethod
    async def _refuse(kind: str, error: GatepassError, receive: Receive, send: Send) -> None:
        if kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        answer = answer_for(error)
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
        headers.append((b"content-length", str(len(answer.body)).encode("ascii")))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


def principal_of(scope: Scope) -> Principal:
    """The principal the middleware stored (MissingTokenError on an unprotected path)."""
    principal = scope.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        raise MissingTokenError()
    return principal


def requires(
    *,
    roles: Iterable[str] | None = None,
    scopes: Iterable[str] | None = None,
    amr: Iterable[str] | None = None,
    acr: Iterable[str] | None = None,
    max_age: int | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Guard a Starlette endpoint behind ``GatepassMiddleware``: 403 without a role or
    scope, RFC 9470's 401 for a login that falls short of ``amr``/``acr``/``max_age``."""
    access = Access.of(roles, scopes, amr=amr, acr=acr, max_age=max_age)

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            try:
                clock = request.scope.get(CLOCK_KEY, system_clock)
                access.check(principal_of(request.scope), clock())
            except GatepassError as exc:
                return response_for(answer_for(exc))
            return await endpoint(request)

        return guarded

    return decorate
