"""HTTP conformance: JSON-only strict bodies, 405 with Allow, headers on every answer."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gatepass.server.middleware import API_CONTENT_SECURITY_POLICY
from gatepass.settings import Secret, Settings
from tests.server.conftest import PASSWORD, Server, start

KEK = Secret(secrets.token_urlsafe(32))  # production needs a key-encryption key (and mail=)

CREDENTIALS = b'{"email": "ada@example.com", "password": "correct horse battery"}'


def _assert_security_headers(reply: httpx.Response) -> None:
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert reply.headers["content-security-policy"]


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "text/json"]
)
async def test_a_body_not_declared_json_is_415(server: Server, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    reply = await server.client.post("/auth/register", content=CREDENTIALS, headers=headers)
    assert reply.status_code == 415
    assert reply.json() == {
        "error": "unsupported_media_type",
        "message": "The request body must be application/json",
    }
    assert await server.store.get_user_by_email("ada@example.com") is None
    _assert_security_headers(reply)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/merge-patch+json"]
)
async def test_json_media_types_are_accepted(server: Server, content_type: str) -> None:
    reply = await server.client.post(
        "/auth/register", content=CREDENTIALS, headers={"Content-Type": content_type}
    )
    assert reply.status_code == 201, reply.text


async def test_an_empty_body_needs_no_content_type(server: Server) -> None:
    reply = await server.client.post("/auth/refresh")  # the body is optional there
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_token"


async def test_a_duplicate_member_is_422_and_not_echoed(server: Server) -> None:
    body = b'{"email": "ada@example.com", "email": "eve@example.com", "password": "%s"}' % (
        PASSWORD.encode()
    )
    reply = await server.client.post(
        "/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 422
    assert reply.json()["error"] == "invalid_request"
    assert "eve" not in reply.text
    assert "ada" not in reply.text
    assert await server.store.get_user_by_email("eve@example.com") is None


async def test_a_nested_duplicate_and_invalid_utf8_are_422(server: Server) -> None:
    for body in (b'{"refresh_token": "a", "x": {"k": 1, "k": 2}}', b'{"refresh_token": "\xff"}'):
        reply = await server.client.post(
            "/auth/refresh", content=body, headers={"Content-Type": "application/json"}
        )
        assert reply.status_code == 422, body
        assert reply.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("TRACE", "/health", {"GET"}),
        ("POST", "/dashboard", {"GET"}),
        ("GET", "/auth/login", {"POST"}),
        ("PUT", "/auth/sessions/abc", {"DELETE"}),
        ("GET", "/console/replay", {"POST"}),
        ("DELETE", "/console/app.js", {"GET"}),
    ],
)
async def test_405_carries_allow(server: Server, method: str, path: str, allowed: set[str]) -> None:
    reply = await server.client.request(method, path)
    assert reply.status_code == 405
    assert {m.strip() for m in reply.headers["allow"].split(",")} == allowed
    assert reply.json() == {"error": "method_not_allowed", "message": "Method not allowed"}
    _assert_security_headers(reply)


async def test_unknown_console_files_are_404(server: Server) -> None:
    reply = await server.client.get("/console/secrets.txt")
    assert reply.status_code == 404
    _assert_security_headers(reply)


async def test_413_carries_the_security_headers(server: Server) -> None:
    body = b'{"email": "' + b"a" * (server.settings.max_body_bytes + 1) + b'"}'
    reply = await server.client.post(
        "/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413
    _assert_security_headers(reply)
    assert reply.headers["content-security-policy"] == API_CONTENT_SECURITY_POLICY


async def test_422_carries_the_security_headers(server: Server) -> None:
    reply = await server.client.post("/auth/login", json={"email": "ada@example.com"})
    assert reply.status_code == 422
    _assert_security_headers(reply)


async def test_the_https_refusal_carries_the_security_headers() -> None:
    async for server in start(Settings(env="production", key_encryption_key=KEK, mail="off")):
        reply = await server.client.get("http://auth.example/health")
        assert reply.status_code == 400
        _assert_security_headers(reply)


@pytest.fixture
async def failing(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    @server.app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    transport = httpx.ASGITransport(app=server.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
        yield client


async def test_500_carries_the_security_headers(failing: httpx.AsyncClient) -> None:
    reply = await failing.get("/boom")
    assert reply.status_code == 500
    assert reply.json() == {"error": "internal_error", "message": "Internal server error"}
    _assert_security_headers(reply)
    assert reply.headers["cache-control"] == "no-store"


async def _bearer(server: Server) -> dict[str, str]:
    tokens: dict[str, Any] = await server.register_and_login()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.mark.parametrize("path", ["/dashboard", "/auth/me", "/auth/sessions"])
async def test_authenticated_answers_are_private(server: Server, path: str) -> None:
    reply = await server.client.get(path, headers=await _bearer(server))
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["vary"] == "Authorization, Cookie"
    refused = await server.client.get(path)
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"
    assert refused.headers["vary"] == "Authorization, Cookie"


async def test_public_answers_do_not_vary_on_credentials(server: Server) -> None:
    reply = await server.client.get("/.well-known/jwks.json")
    assert reply.status_code == 200
    assert "vary" not in reply.headers
    _assert_security_headers(reply)


async def test_allow_names_every_route_on_the_path(server: Server) -> None:
    # Starlette's own 405 names only the first matching route's methods.
    @server.app.put("/health")
    async def put_health() -> None:
        return None

    reply = await server.client.delete("/health")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET, PUT"
