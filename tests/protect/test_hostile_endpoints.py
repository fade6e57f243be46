"""The JWKS client and the revocation feed against answers meant to hurt them.

A published private key is a failed fetch that keeps the last good set:
whoever read the key can sign with it, so nothing it signs is trusted. A
redirect is never followed, even through a caller's own ``httpx`` client
that follows them by default.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import orjson
import pytest

from gatepass.errors import InvalidTokenError, ServiceUnavailableError
from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, JWKSClient, RevocationSync
from gatepass.revocation import entry_to_json
from gatepass.store.records import Revocation
from tests.protect.helpers import AUDIENCE, FEED_TOKEN, ISSUER, FakeAuthServer, mint, running

SIGNER = Key.generate("ES256", kid="signer")
OTHER = Key.generate("ES256", kid="other")
AUTH_URL = "https://auth.example.test"


# -- redirects through the caller's own client ------------------------------------------


async def test_a_callers_client_that_follows_redirects_does_not_follow_them_here() -> None:
    elsewhere = FakeAuthServer(jwks=KeySet([OTHER.public_key()]).export_jwks())
    fake = FakeAuthServer()
    with running(elsewhere.app()) as other, running(fake.app()) as base:
        fake.jwks_mode, fake.redirect_to = "redirect", f"{other}/.well-known/jwks.json"
        async with httpx.AsyncClient(follow_redirects=True) as http:
            jwks = JWKSClient(
                f"{base}/.well-known/jwks.json", allow_insecure_loopback=True, http=http
            )
            with pytest.raises(ServiceUnavailableError):
                await jwks.key_set()
            await jwks.aclose()
    assert fake.jwks_requests == 1
    assert elsewhere.jwks_requests == 0


async def test_the_feed_does_not_follow_redirects_through_a_callers_client() -> None:
    asked: list[str] = []
    entry = Revocation(1, "session", "session-1", 0.0, 0.0, 4e9)

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/auth/revocations":
            return httpx.Response(302, headers={"Location": f"{AUTH_URL}/elsewhere"})
        page = {"entries": [entry_to_json(entry)], "cursor": 1}
        return httpx.Response(200, content=orjson.dumps(page))

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(answer), follow_redirects=True
    ) as http:
        sync = RevocationSync(auth_url=AUTH_URL, feed_token=FEED_TOKEN, http=http)
        assert await sync.poll() == 0
        await sync.close()
    assert asked == ["/auth/revocations"]
    assert len(sync.revoked) == 0


# -- a published private key -------------------------------------------------------------


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
