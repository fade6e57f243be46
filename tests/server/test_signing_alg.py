"""GATEPASS_SIGNING_ALG: the server signs with it; rotating to another algorithm loses no token."""

from __future__ import annotations

import logging
import secrets
import time

import pytest

from gatepass import admin
from gatepass.jose import decode_unverified
from gatepass.settings import Secret, Settings
from gatepass.store import open_store
from gatepass.tokens.keyring import SIGNING_ALGORITHMS, new_signing_record
from tests.server.conftest import Server, start


async def _status(server: Server, path: str, token: str) -> int:
    reply = await server.client.get(path, headers={"Authorization": f"Bearer {token}"})
    return reply.status_code


async def _jwks_algs(server: Server) -> list[str]:
    jwks = (await server.client.get("/.well-known/jwks.json")).json()
    return sorted(k["alg"] for k in jwks["keys"])


@pytest.mark.parametrize("alg", SIGNING_ALGORITHMS)
async def test_the_server_signs_with_the_configured_algorithm(alg: str) -> None:
    async for server in start(Settings(signing_alg=alg)):
        tokens = await server.register_and_login()
        header, _ = decode_unverified(tokens["access_token"])
        assert header["alg"] == alg
        assert await _jwks_algs(server) == [alg]
        assert await _status(server, "/dashboard", tokens["access_token"]) == 200


@pytest.mark.parametrize(
    ("before", "after"),
    [("EdDSA", "ES256"), ("ES256", "RS256"), ("RS256", "PS256"), ("PS256", "EdDSA")],
)
async def test_rotating_to_another_algorithm_keeps_old_tokens_valid(
    before: str, after: str
) -> None:
    settings = Settings(signing_alg=before)
    async for server in start(settings):
        old = await server.register_and_login()
        await admin.rotate_signing_key(server.store, settings, time.time(), after)
        assert await server.app.state.gatepass.keys.refresh()
        assert await _jwks_algs(server) == sorted([before, after])
        # The token signed before the rotation still passes, with its own algorithm.
        assert await _status(server, "/auth/me", old["access_token"]) == 200
        new = await server.register_and_login("bob@example.com")
        assert decode_unverified(new["access_token"])[0]["alg"] == after
        assert await _status(server, "/auth/me", new["access_token"]) == 200
        # The old session's refresh now gets a token from the new key.
        refreshed = await server.client.post(
            "/auth/refresh", json={"refresh_token": old["refresh_token"]}
        )
        assert decode_unverified(refreshed.json()["access_token"])[0]["alg"] == after


async def test_a_stored_key_of_another_algorithm_keeps_signing_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store("memory://")
    kek = secrets.token_urlsafe(32)
    _, record = new_signing_record(time.time(), kek, "EdDSA")
    await store.add_first_signing_key(record)
    with caplog.at_level(logging.WARNING, logger="gatepass.server"):
        settings = Settings(signing_alg="ES256", key_encryption_key=Secret(kek))
        async for server in start(settings, store):
            tokens = await server.register_and_login()
            assert decode_unverified(tokens["access_token"])[0]["alg"] == "EdDSA"
    assert "run `gatepass keys rotate` to switch" in caplog.text
    assert "GATEPASS_SIGNING_ALG=ES256" in caplog.text
