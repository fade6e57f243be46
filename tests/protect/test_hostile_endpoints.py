"""The JWKS client and the revocation feed against answers meant to hurt them.

A published private key is a failed fetch that keeps the last good set:
whoever read the key can sign with it, so nothing it signs is trusted. A
redirect is never followed, even through a caller's own ``httpx`` client
that follows them by default. A body is never held beyond its cap: not when
it is gzip-compressed (a "zip bomb" inflating a thousandfold), nor when a
feed page never ends.
"""

from __future__ import annotations

import gzip
import logging
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import httpx
import orjson
import pytest

from gatepass.errors import InvalidTokenError, ServiceUnavailableError
from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, JWKSClient, RevocationSync
from gatepass.protect.jwks import DEFAULT_MAX_BYTES
from gatepass.revocation import entry_to_json
from gatepass.revocation.protect_sync import MAX_FEED_BYTES
from gatepass.store.records import Revocation
from tests.protect.helpers import AUDIENCE, FEED_TOKEN, ISSUER, FakeAuthServer, mint, running

SIGNER = Key.generate("ES256", kid="signer")
OTHER = Key.generate("ES256", kid="other")
AUTH_URL = "https://auth.example.test"
JWKS_URL = f"{AUTH_URL}/.well-known/jwks.json"
CHUNK = 64 * 1024
Answer = Callable[[httpx.Request], httpx.Response]


def jwks_body(*keys: Key) -> bytes:
    return orjson.dumps(KeySet(k.public_key() for k in keys).export_jwks())


@asynccontextmanager
async def jwks_answering(answer: Answer) -> AsyncIterator[JWKSClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        jwks = JWKSClient(JWKS_URL, http=http)
        try:
            yield jwks
        finally:
            await jwks.aclose()


# -- compressed answers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid JWK Set then 64 MiB of spaces, gzip-compressed to about 64 KiB."""
    return gzip.compress(jwks_body(SIGNER) + b" " * (64 * 1024 * 1024), 6)


async def test_a_gzip_bomb_is_refused_without_inflating_it(bomb: bytes) -> None:
    asked: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers.get("accept-encoding"))
        # compressed whatever was asked, as a hostile or misconfigured server would
        stream = httpx.ByteStream(bomb)
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=stream)

    async with jwks_answering(answer) as jwks:
        tracemalloc.start()
        try:
            with pytest.raises(ServiceUnavailableError):
                await jwks.key_set()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert asked == ["identity"]
    # about the cap (256 KiB) held at most, not the 64 MiB the bomb inflates to
    assert peak < 16 * DEFAULT_MAX_BYTES


async def test_a_gzip_answer_within_the_cap_is_still_read() -> None:
    def answer(_: httpx.Request) -> httpx.Response:
        stream = httpx.ByteStream(gzip.compress(jwks_body(SIGNER)))
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=stream)

    async with jwks_answering(answer) as jwks:
        assert [k.kid for k in await jwks.key_set()] == ["signer"]


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, gzip"])
async def test_other_content_codings_are_a_failed_fetch(coding: str) -> None:
    def answer(_: httpx.Request) -> httpx.Response:
        # a valid set, refused for its coding alone: identity was asked for
        stream = httpx.ByteStream(jwks_body(SIGNER))
        return httpx.Response(200, headers={"Content-Encoding": coding}, stream=stream)

    async with jwks_answering(answer) as jwks:
        with pytest.raises(ServiceUnavailableError):
            await jwks.key_set()


# -- endless feed pages ------------------------------------------------------------------


class Endless(httpx.AsyncByteStream):
    """``chunks`` pieces of 64 KiB of spaces, counting how many were read."""

    def __init__(self, chunks: int) -> None:
        self.chunks, self.read = chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.read += 1
            yield b" " * CHUNK


async def test_a_feed_page_over_the_cap_is_not_read_to_its_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    chunks = 4 * MAX_FEED_BYTES // CHUNK
    streams: list[Endless] = []

    def answer(_: httpx.Request) -> httpx.Response:
        streams.append(Endless(chunks))
        return httpx.Response(200, stream=streams[-1])

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        sync = RevocationSync(auth_url=AUTH_URL, feed_token=FEED_TOKEN, http=http)
        with caplog.at_level(logging.WARNING, "gatepass.protect"):
            assert await sync.poll() == 0
        await sync.close()
    assert "larger than allowed" in caplog.text
    assert len(streams) == 1
    assert streams[0].read <= MAX_FEED_BYTES // CHUNK + 1 < chunks


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
