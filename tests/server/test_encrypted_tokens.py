"""GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY: access tokens issued as nested JWTs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest

from gatepass.jose import encode
from gatepass.jose.jwe import generate_key
from gatepass.settings import Secret, Settings
from tests.server.conftest import Server, start

RESOURCE_KEY = generate_key("ECDH-ES+A256KW", crv="P-256")


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    jwk = orjson.dumps(RESOURCE_KEY.export_jwk(private=True)).decode()
    async for running in start(Settings(access_token_encryption_key=Secret(jwk))):
        yield running


async def test_login_and_refresh_issue_encrypted_tokens_the_server_accepts(server: Server) -> None:
    tokens = await server.register_and_login()
    access = tokens["access_token"]
    assert access.count(".") == 4
    assert "ada@example.com" not in access
    reply = await server.client.get("/dashboard", headers={"Authorization": f"Bearer {access}"})
    assert reply.status_code == 200
    assert reply.json() == {"message": "Welcome ada@example.com"}
    renewed = await server.client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert renewed.status_code == 200
    assert renewed.json()["access_token"].count(".") == 4


async def test_a_signed_but_unencrypted_token_is_refused(server: Server) -> None:
    tokens = await server.register_and_login()
    claims = (
        await server.client.get(
            "/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
    ).json()
    assert claims["user"]["email"] == "ada@example.com"
    state = server.app.state.gatepass
    plain = encode(
        {
            "iss": server.settings.issuer,
            "aud": server.settings.audience,
            "sub": claims["user"]["id"],
            "sid": claims["session"]["id"],
            "jti": "j1",
            "iat": 1,
            "exp": 4_000_000_000,
            "email": "ada@example.com",
            "role": "user",
        },
        state.keyring.active,
        headers={"typ": "at+jwt"},
    )
    reply = await server.client.get("/dashboard", headers={"Authorization": f"Bearer {plain}"})
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_token"
