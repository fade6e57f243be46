"""The one place gatepass errors become HTTP responses.

Every error body is ``{"error": <stable code>, "message": <text>}``; messages
come from ``gatepass.errors`` and never contain request input. 401s carry
``WWW-Authenticate: Bearer`` as RFC 6750 §3 asks (RFC 9470's challenge for a
login too old for a sensitive change); every 429 and 503 carries
``Retry-After`` (a 503 means nothing was changed: the same request may be sent
again as it was).
"""

from __future__ import annotations

import logging
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from gatepass.errors import (
    AuthError,
    ConfigError,
    CsrfError,
    EmailNotVerifiedError,
    FactorExistsError,
    ForbiddenError,
    GatepassError,
    IdentityExistsError,
    InsufficientUserAuthenticationError,
    InvalidInputError,
    InvalidRequestError,
    InvalidTokenError,
    JoseError,
    LastSignInMethodError,
    NotFoundError,
    PasskeyExistsError,
    RateLimitedError,
    RegistrationClosedError,
    ReturnToRefusedError,
    ServiceUnavailableError,
    StoreError,
    UnsupportedMediaTypeError,
    UserExistsError,
)
from gatepass.server.middleware import (
    API_CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
)
from gatepass.stepup import challenge

__all__ = [
    "allowed_methods",
    "error_response",
    "install_error_handlers",
    "oauth_error",
    "oauth_error_response",
    "refusal_response",
]

log = logging.getLogger("gatepass.server")

_STATUS: Final[tuple[tuple[type[GatepassError], int], ...]] = (
    (ForbiddenError, 403),
    (CsrfError, 403),
    (RegistrationClosedError, 403),
    (EmailNotVerifiedError, 403),
    (NotFoundError, 404),
    (UserExistsError, 409),
    (FactorExistsError, 409),
    (IdentityExistsError, 409),
    (LastSignInMethodError, 409),
    (ReturnToRefusedError, 400),
    (PasskeyExistsError, 409),
    (UnsupportedMediaTypeError, 415),
    (InvalidInputError, 422),
    (InvalidRequestError, 422),
    (RateLimitedError, 429),
    (ServiceUnavailableError, 503),
    (ConfigError, 500),
    (AuthError, 401),
    (JoseError, 401),
)


def _status(exc: GatepassError) -> int:
    if isinstance(exc, InvalidTokenError) and exc.mailed:
        return 400  # a mailed one-time token, not a credential
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def refusal_response(exc: GatepassError) -> JSONResponse:
    """What a route that raised ``exc`` answers (the server's own failures logged)."""
    if isinstance(exc, ServiceUnavailableError | ConfigError):
        log.error("request failed: %s", exc.code)
    return error_response(exc)


def error_response(exc: GatepassError) -> JSONResponse:
    status = _status(exc)
    headers: dict[str, str] = {"Cache-Control": "no-store"}
    if isinstance(exc, InsufficientUserAuthenticationError):
        headers["WWW-Authenticate"] = challenge(exc)  # RFC 9470 §3
    elif status == 401:
        bearer = 'Bearer error="invalid_token"' if isinstance(exc, InvalidTokenError) else "Bearer"
        headers["WWW-Authenticate"] = bearer
    if isinstance(exc, RateLimitedError | ServiceUnavailableError):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse({"error": exc.code, "message": exc.message}, status, headers=headers)


# The RFC 6749 §5.2 (and RFC 7009 §2.2.1) errors of the token and revocation
# endpoints, which answer ``{"error", "error_description"}`` instead: a refresh
# token that is unknown, expired, reused or whose user is gone is invalid_grant.
_OAUTH: Final[tuple[tuple[type[GatepassError], str, int], ...]] = (
    (RateLimitedError, "temporarily_unavailable", 429),
    (ServiceUnavailableError, "temporarily_unavailable", 503),
    (ConfigError, "server_error", 500),
    (AuthError, "invalid_grant", 400),
    (StoreError, "invalid_grant", 400),
    (JoseError, "invalid_grant", 400),
)


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    """An RFC 6749 §5.2 error body; ``description`` is fixed text (never input)."""
    return JSONResponse(
        {"error": error, "error_description": description},
        status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def oauth_error_response(exc: GatepassError) -> JSONResponse:
    """``exc`` as the token endpoint answers it."""
    error, status = next(
        ((code, status) for cls, code, status in _OAUTH if isinstance(exc, cls)),
        ("invalid_request", 400),
    )
    response = oauth_error(error, exc.message, status)
    if isinstance(exc, RateLimitedError):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


_NOT_JSON: Final = "The request body is not valid JSON"


def _validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "The request is invalid"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return _NOT_JSON
    if first.get("type") == "extra_forbidden":
        # The location is then the client's own member name: never echo it.
        return "The request has a field that is not allowed here"
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    # The pydantic message describes the rule, never the rejected value.
    return f"Invalid field '{where}': {first.get('msg', 'invalid value')}"


_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method some route answers at this path, for ``Allow``.

    Starlette's own 405 names only the methods of the first route whose path
    matched; two routes on one path (GET and POST) need the union. The probe
    asks the app's routes exactly what dispatch asks them.
    """
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def install_error_handlers(app: FastAPI) -> None:
    async def on_gatepass(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GatepassError)
        return refusal_response(exc)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        body = {"error": "invalid_request", "message": _validation_message(exc)}
        return JSONResponse(body, 422)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400:
            # FastAPI's answer to a body json.loads could not read (invalid UTF-8,
            # nesting too deep): malformed JSON like any other, so the same 422.
            return JSONResponse({"error": "invalid_request", "message": _NOT_JSON}, 422)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        headers = exc.headers
        if exc.status_code == 405:  # RFC 9110 §15.5.6
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        return JSONResponse({"error": code, "message": message}, exc.status_code, headers)

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        # Starlette answers this one outside every middleware: the headers go on here.
        headers = {
            **{name.decode(): value.decode() for name, value in SECURITY_HEADERS},
            "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
        }
        body = {"error": "internal_error", "message": "Internal server error"}
        return JSONResponse(body, 500, headers=headers)

    app.add_exception_handler(GatepassError, on_gatepass)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
