"""GATEPASS_TRUSTED_PROXIES: forwarded addresses and scheme, believed only from trusted peers."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from gatepass.server import create_app
from gatepass.server.proxy import client_ip, forwarded_https
from gatepass.settings import Settings
from gatepass.store import open_store

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"),)


def _scope(peer: str, *headers: tuple[str, str]) -> dict[str, object]:
    return {
        "client": (peer, 1234),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
    }


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # untrusted peer: header ignored
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.2", ["1.1.1.1, 198.51.100.1"], "198.51.100.1"),  # client-written hops ignored
        ("10.0.0.2", ["198.51.100.1, 10.0.0.7"], "198.51.100.1"),  # two proxies
        ("10.0.0.2", ["1.1.1.1", "198.51.100.1"], "198.51.100.1"),  # two header lines
        ("10.0.0.2", ["not-an-ip"], "10.0.0.2"),
        ("10.0.0.2", ["10.0.0.5"], "10.0.0.2"),  # only proxies in the chain
        ("10.0.0.2", ["2001:db8::1"], "2001:db8::1"),
    ],
)
def test_client_ip(peer: str, forwarded: list[str], expected: str) -> None:
    scope = _scope(peer, *(("X-Forwarded-For", value) for value in forwarded))
    assert client_ip(scope, TRUSTED) == expected


def test_no_trusted_proxies_means_the_peer() -> None:
    assert client_ip(_scope("10.0.0.2", ("X-Forwarded-For", "1.2.3.4")), ()) == "10.0.0.2"
    assert client_ip({"headers": []}, TRUSTED) is None


@pytest.mark.parametrize(
    ("peer", "proto", "expected"),
    [
        ("10.0.0.2", "https", True),
        ("10.0.0.2", "http", False),
        ("10.0.0.2", "https, http", False),  # the nearest proxy's value counts
        ("10.0.0.2", "http, https", True),
        ("203.0.113.9", "https", False),
    ],
)
def test_forwarded_https(peer: str, proto: str, expected: bool) -> None:
    assert forwarded_https(_scope(peer, ("X-Forwarded-Proto", proto)), TRUSTED) is expected


async def test_rate_limits_count_the_forwarded_client_not_the_proxy() -> None:
    """Behind a load balancer every request comes from the proxy: per-IP limits
    must count each client, or one attacker locks everyone out."""
    settings = Settings(trusted_proxies=("10.0.0.0/8",), login_limit_per_ip=2)
    store = open_store("memory://")
    app = create_app(settings, store=store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.2", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:

            async def login(client_address: str, email: str) -> int:
                reply = await client.post(
                    "/auth/login",
                    json={"email": email, "password": "wrong password!"},
                    headers={"X-Forwarded-For": client_address},
                )
                return reply.status_code

            attacker = [await login("198.51.100.66", f"u{i}@example.com") for i in range(3)]
            assert attacker == [401, 401, 429]
            assert await login("198.51.100.7", "ada@example.com") == 401
            # a client cannot pick its own address: it only adds hops on the left
            spoof = await login("198.51.100.7, 198.51.100.66", "bob@example.com")
            assert spoof == 429
    await store.close()
