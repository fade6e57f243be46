"""The public discovery routes: the JWKS and the metadata documents.

``/.well-known/oauth-authorization-server`` (RFC 8414) and
``/.well-known/openid-configuration`` serve the same document, which names
only what gatepass really implements, in members registered with IANA:

- ``token_endpoint`` is the RFC 6749 token endpoint (``grant_type=refresh_token``
  form posts, ``gatepass.server.token_endpoint``), ``grant_types_supported``
  says so and ``token_endpoint_auth_methods_supported`` is ``none`` (public
  clients); ``revocation_endpoint`` is RFC 7009.
- There is no authorization endpoint (login is gatepass's own JSON route, not
  an RFC 6749 grant), so ``authorization_endpoint`` is absent and
  ``response_types_supported`` is empty. gatepass issues no ID tokens: it is
  not an OpenID Provider, and the OIDC path serves the RFC 8414 document as
  RFC 8414 §5 allows, without the OIDC members that would be false.
- ``jwks_uri`` only when there are public keys: with ``GATEPASS_JWT_SECRET``
  the tokens are HS256, nothing can verify them from a JWKS, and the JWKS
  route stays the valid, empty ``{"keys": []}``.

The algorithm of each key is in its JWK (``alg``): no registered metadata
member names the access-token signing algorithm.

Every route answers GET, HEAD and the CORS preflight (OPTIONS) with
``Access-Control-Allow-Origin: *``, so a verifier in a browser on another
origin can read them; they are public documents and carry no credentials.
The JWKS may be cached for ``jwks_max_age``: see its docstring.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any, Final

import orjson
from fastapi import APIRouter, Request, Response

from gatepass.server.state import get_state
from gatepass.settings import Settings

__all__ = [
    "JWKS_PATH",
    "METADATA_PATHS",
    "discovery_router",
    "jwks_max_age",
    "metadata",
]

JWKS_PATH: Final = "/.well-known/jwks.json"
METADATA_PATHS: Final = (
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
)
#: Seconds a client may cache a metadata document: it changes only when the
#: server's configuration does.
METADATA_MAX_AGE: Final = 300
Body = Callable[[Request], Awaitable[dict[str, Any]]]
_CORS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    # Fixed, never the request's own list: what a fetch of a JSON document sends.
    "Access-Control-Allow-Headers": "Accept, Cache-Control, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


def jwks_max_age(settings: Settings) -> int:
    """How long the JWKS may be cached: ``GATEPASS_KEY_SYNC``, rounded down, at least 1 s.

    A rotation publishes the new key and signs with it at once (each server
    picks it up within ``GATEPASS_KEY_SYNC``); there is no publish-ahead time.
    A verifier that meets an unknown ``kid`` refetches the JWKS (jose,
    jwks-rsa, PyJWKClient and gatepass.protect all do), but an HTTP cache on
    the way would hand it the old copy until max-age runs out, so max-age is
    as short as the window in which the servers themselves still disagree.
    Removing a key never needs a short max-age: a retiring key stays published
    until every token it signed has expired.
    """
    return max(1, math.floor(settings.key_sync))


def metadata(settings: Settings, *, has_public_keys: bool) -> dict[str, Any]:
    """The authorization server metadata (RFC 8414 §2) gatepass can stand behind."""
    base, prefix = settings.issuer.rstrip("/"), settings.auth_prefix
    document: dict[str, Any] = {
        "issuer": settings.issuer,
        "token_endpoint": f"{base}{prefix}/token",
        "grant_types_supported": ["refresh_token"],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint": f"{base}{prefix}/revoke",
        "revocation_endpoint_auth_methods_supported": ["none"],
    }
    if has_public_keys:
        document["jwks_uri"] = f"{base}{JWKS_PATH}"
    return document


def _document(request: Request, body: dict[str, Any], max_age: int) -> Response:
    content = orjson.dumps(body)
    headers = {
        **_CORS,
        "Cache-Control": f"public, max-age={max_age}",
        "Content-Length": str(len(content)),
    }
    # HEAD: the GET's headers (its length included), no body.
    return Response(
        b"" if request.method == "HEAD" else content,
        200,
        headers=headers,
        media_type="application/json",
    )


def _preflight() -> Response:
    return Response(status_code=204, headers=_CORS)


def discovery_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["discovery"])
    has_public_keys = settings.jwt_secret is None
    document = metadata(settings, has_public_keys=has_public_keys)

    def serve(path: str, name: str, body: Body, max_age: int) -> None:
        async def get(request: Request) -> Response:
            return _document(request, await body(request), max_age)

        async def options() -> Response:
            return _preflight()

        # One route per method: a route with two methods has one operation id
        # for both, which FastAPI's OpenAPI generation warns about.
        router.add_api_route(path, get, methods=["GET"], name=name, response_class=Response)
        for method, endpoint in (("HEAD", get), ("OPTIONS", options)):
            router.add_api_route(
                path,
                endpoint,
                methods=[method],
                name=f"{name}_{method.lower()}",
                response_class=Response,
                include_in_schema=False,
            )

    async def jwks(request: Request) -> dict[str, Any]:
        return (await get_state(request)).keyring.public_jwks

    async def configuration(request: Request) -> dict[str, Any]:
        return document

    serve(JWKS_PATH, "jwks", jwks, jwks_max_age(settings))
    for path, name in zip(METADATA_PATHS, ("oauth_metadata", "openid_configuration"), strict=True):
        serve(path, name, configuration, METADATA_MAX_AGE)
    return router
