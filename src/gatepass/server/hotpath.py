"""``GET /dashboard`` answered before FastAPI's routing: the hot path at its shortest.

A pure ASGI middleware, the innermost of gatepass's own: the security headers,
HTTPS-only and the body cap still wrap it, but the exception middleware, the
router and FastAPI's route machinery do not run for this one request kind. It
does what the route would: ``server.auth.current_principal`` (the bearer
header or the cookie with CSRF, one call to the verifier, revocation checked),
the answer, or the same error body ``server.errors`` gives a refusal. Every
other request goes on to the app unchanged.
"""

from __future__ import annotations

from typing import Final

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gatepass.errors import GatepassError
from gatepass.server.auth import current_principal
from gatepass.server.errors import refusal_response
from gatepass.server.state import ServerState

__all__ = ["DASHBOARD", "HotPath", "dashboard_response"]

DASHBOARD: Final = "/dashboard"


async def dashboard_response(request: Request, state: ServerState) -> Response:
    """The guide's protected answer: ``{"message": "Welcome <email>"}``."""
    caller = await current_principal(request, state)
    body = orjson.dumps({"message": f"Welcome {caller.email}"})
    return Response(body, media_type="application/json")


class HotPath:
    """``GET /dashboard`` straight to ``dashboard_response``; the rest to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == DASHBOARD and scope["method"] == "GET":
            state = getattr(scope["app"].state, "gatepass", None)
            if isinstance(state, ServerState):  # else: starting, the route says 503
                request = Request(scope, receive)
                try:
                    response = await dashboard_response(request, state)
                except GatepassError as exc:
                    response = refusal_response(exc)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
