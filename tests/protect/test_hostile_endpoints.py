"""The JWKS client against answers meant to hurt it.

A published private key is a failed fetch that keeps the last good set:
whoever read the key can sign with it, so nothing it signs is trusted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from gatepass.errors import InvalidTokenError, ServiceUnavailableError
from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, JWKSClient
from tests.protect.helpers import AUDIENCE, ISSUER, FakeAuthServer, mint, running

SIGNER = Key.generate("ES256", kid="signer")
OTHER = Key.generate("ES256", kid="other")


@pytest.fixture
def fake() -> FakeAuthServer:
    return FakeAuthServer(jwks=KeySet([SIGNER.public_key()]).export_jwks())


@pytest.fixture
def url(fake: FakeAuthServer) -> Iterator[str]:
    with running(fake.app()) as base:
        yield f"{base}/.well-known/jwks.json"


async def test_a_jwks_holding_a_private_key_keeps_the_last_good_set(
    fake: FakeAuthServer, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    jwks = JWKSClient(url, allow_insecure_loopback=True, cooldown=0)
    async with Authenticator(issuer=ISSUER, audience=AUDIENCE, jwks_client=jwks) as auth:
        good = mint(SIGNER)
        assert (await auth.authenticate(good)).sub == "user-1"
        # the server now publishes a private key: anyone who reads it can sign with it
        fake.jwks = {"keys": [OTHER.export_jwk(private=True)]}
        with caplog.at_level(logging.WARNING, "gatepass.protect"), pytest.raises(InvalidTokenError):
            await auth.authenticate(mint(OTHER))
        assert fake.jwks_requests == 2
        assert "holds a private key" in caplog.text
        auth.cache.clear()
        assert (await auth.authenticate(good)).sub == "user-1"


async def test_a_first_jwks_holding_a_private_key_is_no_key_set(
    fake: FakeAuthServer, url: str
) -> None:
    fake.jwks = {"keys": [SIGNER.export_jwk(private=True)]}
    jwks = JWKSClient(url, allow_insecure_loopback=True)
    with pytest.raises(ServiceUnavailableError):
        await jwks.key_set()
    await jwks.aclose()
