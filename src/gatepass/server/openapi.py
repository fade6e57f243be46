"""The OpenAPI document, as the server really answers.

FastAPI's generated document is completed here, in one place, rather than
with ``responses=`` on every route:

- the security schemes: ``bearer`` (``Authorization: Bearer <JWT>``), ``cookie``
  (the access cookie of the cookie transport) and ``feedToken`` (the
  revocation feed's shared secret), applied to the operations that need them;
- every error status an operation can answer, each with the one error body
  ``{"error", "message"}`` (``server/errors.py``): 400 (plain HTTP in
  production), 413 and 503 everywhere; 415 and 422 where there is a body;
  401/403 where there are credentials; the rest per operation (``_EXTRA``);
- the 2xx bodies of the main operations (``server.schemas``).

An operation missing from ``_OPERATIONS`` (one added later) is described
generously (401, 403, 404, 409, 429) rather than wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from gatepass.server import schemas
from gatepass.server.cookies import access_cookie_name
from gatepass.settings import Settings

__all__ = ["describe", "install_openapi"]

ERROR_SCHEMA: Final = {
    "type": "object",
    "title": "Error",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "A stable code from gatepass.errors"},
        "message": {"type": "string", "description": "Text safe to show, never request input"},
    },
}
#: RFC 6749 §5.2 / RFC 7009 answers of the OAuth endpoints: ``error_description``
#: from the endpoint; ``message`` where the answer comes from before it (413).
OAUTH_ERROR_SCHEMA: Final = {
    "type": "object",
    "title": "OAuthError",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "An RFC 6749 §5.2 error code"},
        "error_description": {"type": "string"},
        "message": {"type": "string"},
    },
}
_Security = list[dict[str, list[str]]]
_USER: Final[_Security] = [{"bearer": []}, {"cookie": []}]
_FEED: Final[_Security] = [{"feedToken": []}]
_EVERYWHERE: Final = (400, 413, 503)
_GENEROUS: Final = (401, 403, 404, 409, 429)

# (method, path with "{auth}" for the auth prefix) -> (security, extra statuses, 2xx model)
_Operation = tuple[_Security | None, tuple[int, ...], type[BaseModel] | None]
_OPERATIONS: Final[dict[tuple[str, str], _Operation]] = {
    ("post", "{auth}/register"): (None, (403, 409, 429), schemas.Registered),
    ("post", "{auth}/login"): (None, (401, 429), schemas.Tokens),
    ("post", "{auth}/refresh"): (None, (401, 403, 429), schemas.Tokens),
    ("post", "{auth}/verify-email/request"): (None, (401, 403, 429), schemas.Accepted),
    ("post", "{auth}/verify-email"): (None, (429,), schemas.Address),
    ("post", "{auth}/password/forgot"): (None, (429,), schemas.Accepted),
    ("post", "{auth}/password/reset"): (None, (429,), None),
    ("post", "{auth}/password/change"): (_USER, (429,), None),
    ("post", "{auth}/email/change"): (_USER, (429,), schemas.Accepted),
    ("post", "{auth}/email/confirm"): (None, (409, 429), schemas.Address),
    ("delete", "{auth}/me"): (_USER, (429,), None),
    ("post", "{auth}/reauthenticate"): (_USER, (429,), schemas.Reauthenticated),
    ("post", "{auth}/logout"): (_USER, (), None),
    ("post", "{auth}/logout/all"): (_USER, (), None),
    ("get", "{auth}/me"): (_USER, (), schemas.Me),
    ("get", "{auth}/sessions"): (_USER, (), schemas.Sessions),
    ("delete", "{auth}/sessions/{session_id}"): (_USER, (404,), None),
    ("get", "{auth}/oidc/providers"): (None, (), schemas.Providers),
    ("get", "{auth}/identities"): (_USER, (), schemas.Identities),
    ("delete", "{auth}/identities/{provider}/{key}"): (_USER, (404, 409), None),
    ("get", "{auth}/revocations"): (_FEED, (404,), schemas.RevocationFeed),
    ("get", "/dashboard"): (_USER, (), schemas.Dashboard),
    ("get", "/health"): (None, (), schemas.Health),
    ("get", "/.well-known/jwks.json"): (None, (), schemas.Jwks),
    ("get", "/.well-known/openid-configuration"): (None, (), schemas.Discovery),
    ("get", "/.well-known/oauth-authorization-server"): (None, (), schemas.Discovery),
    ("post", "{auth}/token"): (None, (401, 429), schemas.OAuthTokens),
    ("post", "{auth}/revoke"): (None, (401, 429), None),
    ("get", "/console/config.json"): (None, (), schemas.ConsoleConfig),
    ("post", "/console/replay"): (_USER, (404,), schemas.ReplayResult),
}


# The form parameters the OAuth endpoints require (they read the form themselves, to
# answer RFC 6749 §5.2 errors rather than FastAPI's 422, so FastAPI sees them optional).
_OAUTH_FORMS: Final[dict[str, dict[str, Any]]] = {
    "{auth}/token": {
        "type": "object",
        "required": ["grant_type", "refresh_token"],
        "properties": {
            "grant_type": {"type": "string", "enum": ["refresh_token"]},
            "refresh_token": {"type": "string", "minLength": 1, "maxLength": 512},
            "client_id": {"type": "string"},
        },
    },
    "{auth}/revoke": {
        "type": "object",
        "required": ["token"],
        "properties": {
            "token": {"type": "string", "minLength": 1},
            # RFC 7009 §2.1: a hint the server does not know is ignored, not refused.
            "token_type_hint": {"type": "string"},
            "client_id": {"type": "string"},
        },
    },
}


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Serve ``describe``'s document at the app's ``openapi_url`` (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            generated = get_openapi(title=app.title, version=app.version, routes=app.routes)
            app.openapi_schema = describe(generated, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe(document: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Complete FastAPI's generated ``document`` (changed in place and returned)."""
    components = document.setdefault("components", {})
    found: dict[str, Any] = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        found.pop(name, None)
    found["Error"] = ERROR_SCHEMA
    found["OAuthError"] = OAUTH_ERROR_SCHEMA
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": access_cookie_name(settings)},
        "feedToken": {"type": "http", "scheme": "bearer"},
    }
    known = {
        (method, path.replace("{auth}", settings.auth_prefix)): spec
        for (method, path), spec in _OPERATIONS.items()
    }
    paths: dict[str, Any] = document.get("paths", {})
    if settings.revocation_feed_token is None:  # then the feed answers only 404
        paths.pop(f"{settings.auth_prefix}/revocations", None)
    oauth = {
        path.replace("{auth}", settings.auth_prefix): form for path, form in _OAUTH_FORMS.items()
    }
    for path, item in paths.items():
        for method, operation in item.items():
            spec = known.get((method, path), (None, _GENEROUS, None))
            _complete(operation, spec, lambda model: _ref(model, found))
            if path in oauth:
                _oauth(operation, oauth[path])
    return document


def _oauth(operation: dict[str, Any], form: dict[str, Any]) -> None:
    """An OAuth endpoint: its real form parameters, RFC 6749 error bodies, 400 not 422."""
    operation["requestBody"] = {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": form}},
    }
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)
    responses["400"] = {"description": "Bad Request"}
    for status, answer in responses.items():
        if status[0] in "45":
            schema = {"$ref": "#/components/schemas/OAuthError"}
            answer["content"] = {"application/json": {"schema": schema}}


def _complete(
    operation: dict[str, Any], spec: _Operation, ref: Callable[[type[BaseModel]], dict[str, str]]
) -> None:
    security, extra, model = spec
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)  # FastAPI's {"detail": ...}: the real body is below
    statuses = set(_EVERYWHERE) | set(extra)
    if "requestBody" in operation:
        statuses |= {415, 422}
    if operation.get("parameters"):
        statuses.add(422)
    if security is not None:
        operation["security"] = security
        statuses |= {401, 403} if security is _USER else {401}
    for code in sorted(statuses):
        responses[str(code)] = {
            "description": HTTPStatus(code).phrase,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    if model is not None:  # the operation's own 2xx; another (register's 202) keeps its model
        status = min(s for s in responses if s.startswith("2"))
        if "content" in responses[status]:
            responses[status]["content"] = {"application/json": {"schema": ref(model)}}


def _ref(model: type[BaseModel], found: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        found[name] = definition
    found[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}
