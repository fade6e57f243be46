"""Bad input gets a clear error and loses nothing."""

from __future__ import annotations

import httpx
import pytest

from gatepass.errors import ServiceUnavailableError
from gatepass.server import create_app
from gatepass.settings import Settings
from tests.server.conftest import PASSWORD, Server


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_request"),
        (b'{"email": 5, "password": "long enough"}', "invalid_request"),
        (b'{"email": "ada@example.com"}', "invalid_request"),
        (b'{"email": "ada@example.com", "password": "short"}', "invalid_request"),
        (b'{"email": "not-an-email", "password": "long enough"}', "invalid_email"),
        (b"[]", "invalid_request"),
    ],
)
async def test_malformed_bodies_get_422(server: Server, body: bytes, code: str) -> None:
    reply = await server.client.post(
        "/auth/register", content=body, headers={"content-type": "application/json"}
    )
    assert reply.status_code == 422
    payload = reply.json()
    assert payload["error"] == code
    assert payload["message"]
    assert "ada@example.com" not in payload["message"]


async def test_body_over_64_kib_gets_413(server: Server) -> None:
    big = b'{"email": "a@b.c", "password": "' + b"x" * 70_000 + b'"}'
    reply = await server.client.post(
        "/auth/login", content=big, headers={"content-type": "application/json"}
    )
    assert reply.status_code == 413
    assert reply.json()["error"] == "payload_too_large"


async def test_long_unicode_password_is_not_truncated(server: Server) -> None:
    password = "пароль-" + "🔑" * 300
    reply = await server.client.post(
        "/auth/register", json={"email": "uni@example.com", "password": password}
    )
    assert reply.status_code == 201
    login = await server.client.post(
        "/auth/login", json={"email": "uni@example.com", "password": password[:-1]}
    )
    assert login.status_code == 401


async def test_registration_can_be_closed() -> None:
    from gatepass.settings import Settings
    from tests.server.conftest import start

    async for server in start(Settings(registration_open=False)):
        reply = await server.client.post(
            "/auth/register", json={"email": "a@example.com", "password": "long enough"}
        )
        assert reply.status_code == 403
        assert reply.json()["error"] == "registration_closed"


async def test_duplicate_email_conflicts(server: Server) -> None:
    await server.register_and_login()
    reply = await server.client.post(
        "/auth/register", json={"email": "ADA@example.com", "password": PASSWORD}
    )
    assert reply.status_code == 409


async def test_database_gone_gives_503(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    async def down(*_: object, **__: object) -> None:
        raise ServiceUnavailableError("The database is unavailable")

    monkeypatch.setattr(server.store, "get_user_by_email", down)
    monkeypatch.setattr(server.store, "health", down)
    reply = await server.client.post(
        "/auth/login", json={"email": "a@example.com", "password": "long enough"}
    )
    assert reply.status_code == 503
    assert reply.json() == {
        "error": "service_unavailable",
        "message": "The database is unavailable",
    }
    assert "Traceback" not in reply.text
    assert reply.headers["retry-after"] == "2"
    health = await server.client.get("/health")
    assert health.status_code == 503
    assert health.headers["retry-after"] == "2"


async def test_a_server_still_starting_answers_503_with_retry_after() -> None:
    app = create_app(Settings())  # its lifespan has not run: no state yet
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        reply = await client.post("/auth/refresh", json={"refresh_token": "x"})
    assert reply.status_code == 503
    assert reply.json() == {
        "error": "service_unavailable",
        "message": "The server is starting, try again shortly",
    }
    assert reply.headers["retry-after"] == "2"


async def test_discovery_and_jwks(server: Server) -> None:
    config = (await server.client.get("/.well-known/openid-configuration")).json()
    assert config["issuer"] == server.settings.issuer
    assert config["jwks_uri"].endswith("/.well-known/jwks.json")
    jwks = (await server.client.get("/.well-known/jwks.json")).json()
    assert all("d" not in k for k in jwks["keys"])
    assert [k["alg"] for k in jwks["keys"]] == ["ES256"]
    assert (await server.client.get("/health")).json() == {"status": "ok", "database": "ok"}
    assert (await server.client.get("/openapi.json")).status_code == 200
