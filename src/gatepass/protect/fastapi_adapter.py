"""FastAPI (and Starlette request) side of the Authenticator: dependencies and the error handler.

``Depends(auth)`` and ``Depends(auth.require(...))`` raise
``GatepassHTTPException``, an ``HTTPException`` carrying the status and the
``WWW-Authenticate`` header, answered with the guide's ``{"error", "message"}``
bodies. ``auth.install(app)`` registers that handler; in an app without it,
the first refusal registers it (in the exception-handler table Starlette
hands each request in its scope), so the body is the same either way, never
FastAPI's ``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from gatepass.errors import GatepassError
from gatepass.protect.access import Access
from gatepass.protect.answers import ErrorAnswer, answer_for
from gatepass.tokens.bearer import authorization_header, bearer_token
from gatepass.tokens.principal import Principal

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from gatepass.protect.authenticator import Authenticator

__all__ = ["GatepassHTTPException", "dependency", "install", "principal_of_request"]


class GatepassHTTPException(HTTPException):
    """A refused request, as FastAPI/Starlette exception handling understands it."""

    def __init__(self, error: GatepassError) -> None:
        self.answer: ErrorAnswer = answer_for(error)
        headers = {k: v for k, v in self.answer.headers if k != "Content-Type"}
        super().__init__(self.answer.status, detail=self.answer.message, headers=headers)


def response_for(answer: ErrorAnswer) -> Response:
    return Response(
        answer.body, answer.status, headers=dict(answer.headers), media_type="application/json"
    )


async def _handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatepassHTTPException)
    return response_for(exc.answer)


def install(app: Starlette) -> None:
    """Answer refused requests with the guide's bodies (``{"error", "message"}``)."""
    app.add_exception_handler(GatepassHTTPException, _handler)


async def principal_of_request(
    auth: Authenticator, connection: HTTPConnection, access: Access | None
) -> Principal:
    try:
        token = bearer_token(authorization_header(connection.scope), auth.max_token_bytes)
        principal = await auth.authenticate(token)
        return principal if access is None else access.check(principal, auth.clock())
    except GatepassError as exc:
        _answer_with_our_handler(connection)
        raise GatepassHTTPException(exc) from None


def _answer_with_our_handler(connection: HTTPConnection) -> None:
    """Register our handler in the app's exception-handler table, as install() would have.

    Starlette's ExceptionMiddleware puts its own table in the request scope and
    looks refusals up in it; adding ours there (once per app) answers this
    refusal, and every later one, with the guide's body.
    """
    table = connection.scope.get("starlette.exception_handlers")
    if isinstance(table, tuple) and len(table) == 2 and isinstance(table[0], dict):
        table[0].setdefault(GatepassHTTPException, _handler)


def dependency(auth: Authenticator, access: Access) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency returning the principal when it has ``access``."""

    async def gatepass_principal(request: HTTPConnection) -> Principal:
        return await principal_of_request(auth, request, access)

    return gatepass_principal
