"""The JWKS and metadata documents: truthful members, CORS, HEAD, OPTIONS and caching."""

from __future__ import annotations

import secrets

import pytest

from gatepass.server.discovery import JWKS_PATH, METADATA_PATHS, jwks_max_age
from gatepass.settings import Secret, Settings
from tests.server.conftest import Server, start

DOCUMENTS = (JWKS_PATH, *METADATA_PATHS)

#: Members of the IANA "OAuth Authorization Server Metadata" registry (RFC 8414
#: §7.1, which also registers the OpenID Connect Discovery members) that a
#: gatepass document may use.
REGISTERED = {
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
    "scopes_supported",
    "response_types_supported",
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "revocation_endpoint",
    "revocation_endpoint_auth_methods_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "end_session_endpoint",
}


@pytest.mark.parametrize("path", METADATA_PATHS)
async def test_metadata_names_only_what_gatepass_implements(server: Server, path: str) -> None:
    reply = await server.client.get(path)
    assert reply.status_code == 200
    document = reply.json()
    base = server.settings.issuer
    assert document == {
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": ["refresh_token"],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint": f"{base}/auth/revoke",
        "revocation_endpoint_auth_methods_supported": ["none"],
    }
    assert set(document) <= REGISTERED


async def test_both_metadata_paths_serve_the_same_document(server: Server) -> None:
    oauth, oidc = [(await server.client.get(p)).json() for p in METADATA_PATHS]
    assert oauth == oidc


async def test_hs256_mode_advertises_no_jwks_uri() -> None:
    async for server in start(Settings(jwt_secret=Secret(secrets.token_urlsafe(32)))):
        for path in METADATA_PATHS:
            document = (await server.client.get(path)).json()
            assert "jwks_uri" not in document
            assert document["token_endpoint"].endswith("/auth/token")
        jwks = await server.client.get(JWKS_PATH)
        assert jwks.status_code == 200
        assert jwks.json() == {"keys": []}


@pytest.mark.parametrize("path", DOCUMENTS)
async def test_documents_are_cors_readable_and_cacheable(server: Server, path: str) -> None:
    reply = await server.client.get(path, headers={"Origin": "https://app.example"})
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"].startswith("public, max-age=")
    assert "set-cookie" not in reply.headers


async def test_jwks_max_age_is_the_key_sync_interval(server: Server) -> None:
    reply = await server.client.get(JWKS_PATH)
    assert reply.headers["cache-control"] == "public, max-age=5"
    assert jwks_max_age(Settings(key_sync=0.5)) == 1
    assert jwks_max_age(Settings(key_sync=30)) == 30


@pytest.mark.parametrize("path", DOCUMENTS)
async def test_head_answers_the_get_headers_without_a_body(server: Server, path: str) -> None:
    get = await server.client.get(path)
    head = await server.client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    for name in ("content-type", "cache-control", "access-control-allow-origin"):
        assert head.headers[name] == get.headers[name]


@pytest.mark.parametrize("path", DOCUMENTS)
async def test_cors_preflight(server: Server, path: str) -> None:
    reply = await server.client.options(
        path,
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-evil, if-none-match",
        },
    )
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == "*"
    assert set(reply.headers["access-control-allow-methods"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
    allowed = reply.headers["access-control-allow-headers"].lower()
    assert "if-none-match" in allowed
    assert "x-evil" not in allowed  # a fixed list, never the request's own


async def test_other_methods_are_still_refused(server: Server) -> None:
    reply = await server.client.post(JWKS_PATH)
    assert reply.status_code == 405


async def test_openapi_lists_each_document_once(server: Server) -> None:
    paths = (await server.client.get("/openapi.json")).json()["paths"]
    for path in DOCUMENTS:
        assert set(paths[path]) == {"get"}
    assert set(paths["/auth/token"]["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded"
    }
