"""DiscoveryClient: cached like protect's JWKS client, single flight, the last good kept."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from gatepass.errors import ProviderUnavailableError
from gatepass.federation.discovery import DiscoveryClient

ISSUER = "https://idp.example.com"


def reply(status: int, body: Any) -> httpx.Response:
    """A streamed answer (an ``httpx.Response`` made with content is read already)."""
    return httpx.Response(status, stream=httpx.ByteStream(json.dumps(body).encode()))


class Provider:
    def __init__(self) -> None:
        self.requests = 0
        self.status = 200
        self.issuer = ISSUER

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        assert str(request.url) == f"{ISSUER}/.well-known/openid-configuration"
        body = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{ISSUER}/auth",
            "token_endpoint": f"{ISSUER}/token",
            "jwks_uri": f"{ISSUER}/jwks",
        }
        return reply(self.status, body)


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def provider() -> Provider:
    return Provider()


def client(provider: Provider, clock: Clock) -> DiscoveryClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(provider.handle))
    return DiscoveryClient(ISSUER, http, clock=clock, max_age=3600, cooldown=30)


async def test_fetched_once_then_cached(provider: Provider) -> None:
    clock = Clock()
    discovery = client(provider, clock)
    results = await asyncio.gather(*(discovery.metadata() for _ in range(10)))
    assert {r.token_endpoint for r in results} == {f"{ISSUER}/token"}
    assert provider.requests == 1  # one flight for ten waiters
    clock.now += 3000
    await discovery.metadata()
    assert provider.requests == 1


async def test_stale_is_refreshed_in_the_background_and_a_failure_keeps_the_last_good(
    provider: Provider,
) -> None:
    clock = Clock()
    discovery = client(provider, clock)
    first = await discovery.metadata()
    clock.now += 3601
    provider.status = 500
    assert await discovery.metadata() is first  # stale-while-revalidate
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert provider.requests == 2
    assert await discovery.metadata() is first  # the failed refresh kept it; cooldown holds
    assert provider.requests == 2


async def test_down_from_the_start_is_unavailable_and_retried_with_backoff(
    provider: Provider,
) -> None:
    clock = Clock()
    provider.status = 503
    discovery = client(provider, clock)
    with pytest.raises(ProviderUnavailableError):
        await discovery.metadata()
    with pytest.raises(ProviderUnavailableError):
        await discovery.metadata()  # within the first retry's second: not fetched again
    assert provider.requests == 1
    clock.now += 1
    provider.status = 200
    assert (await discovery.metadata()).jwks_uri == f"{ISSUER}/jwks"
    assert provider.requests == 2


async def test_a_document_for_another_issuer_is_never_used(provider: Provider) -> None:
    provider.issuer = "https://evil.example"
    discovery = client(provider, Clock())
    with pytest.raises(ProviderUnavailableError):
        await discovery.metadata()
