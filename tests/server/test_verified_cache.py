"""The server's verified-token cache: a hit skips the signature only."""

from __future__ import annotations

from gatepass.settings import Settings
from tests.clock import Clock
from tests.server.conftest import Server, start


async def _dashboard(server: Server, token: str) -> int:
    reply = await server.client.get("/dashboard", headers={"Authorization": f"Bearer {token}"})
    return reply.status_code


async def test_a_cached_token_still_expires() -> None:
    clock = Clock()
    async for server in start(Settings(access_ttl=1), clock=clock):
        token = (await server.register_and_login())["access_token"]
        assert await _dashboard(server, token) == 200
        assert token in server.app.state.gatepass.verifier.cache
        clock.now += 0.5  # still inside its one second, and cached
        assert await _dashboard(server, token) == 200
        clock.now += 0.5  # at exp: a cached token dies as an uncached one would
        assert await _dashboard(server, token) == 401
        assert token not in server.app.state.gatepass.verifier.cache


async def test_a_cached_token_is_still_revoked(server: Server) -> None:
    tokens = await server.register_and_login()
    token = tokens["access_token"]
    assert await _dashboard(server, token) == 200
    assert token in server.app.state.gatepass.verifier.cache
    reply = await server.client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 204
    assert await _dashboard(server, token) == 401


async def test_one_changed_byte_is_verified_from_scratch(server: Server) -> None:
    token = (await server.register_and_login())["access_token"]
    assert await _dashboard(server, token) == 200
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert await _dashboard(server, f"{head}.{payload}.{flipped}") == 401


async def test_the_cache_holds_at_most_gatepass_token_cache_bytes() -> None:
    async for server in start(Settings(token_cache_bytes=4000)):
        first = (await server.register_and_login())["access_token"]
        assert await _dashboard(server, first) == 200
        cache = server.app.state.gatepass.verifier.cache
        assert cache.max_bytes == 4000
        assert first in cache
        for i in range(3):
            token = (await server.register_and_login(f"user{i}@example.com"))["access_token"]
            assert await _dashboard(server, token) == 200
        assert 0 < cache.bytes <= 4000
        assert first not in cache  # the least recently used went first
        assert await _dashboard(server, first) == 200  # verified again from scratch
