"""Production mode: plain HTTP refused unless a trusted proxy says https; HSTS sent."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from gatepass.server import create_app
from gatepass.settings import Secret, Settings
from gatepass.store import open_store

# Production refuses to start without one (tests/server/test_keys_at_rest.py).
KEY_ENCRYPTION_KEY = Secret(secrets.token_urlsafe(32))


def production(**changes: Any) -> Settings:
    return Settings(env="production", key_encryption_key=KEY_ENCRYPTION_KEY, mail="off", **changes)


async def _get(
    settings: Settings, url: str, headers: dict[str, str], client_ip: str
) -> httpx.Response:
    store = open_store("memory://")
    app = create_app(settings, store=store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_ip, 1234))
        async with httpx.AsyncClient(transport=transport) as client:
            reply = await client.get(url, headers=headers)
    await store.close()
    return reply


async def test_plain_http_refused_in_production() -> None:
    settings = production()
    reply = await _get(settings, "http://auth.example/health", {}, "203.0.113.9")
    assert reply.status_code == 400
    assert reply.json()["error"] == "https_required"


async def test_https_gets_hsts() -> None:
    settings = production()
    reply = await _get(settings, "https://auth.example/health", {}, "203.0.113.9")
    assert reply.status_code == 200
    assert reply.headers["strict-transport-security"].startswith("max-age=")


async def test_forwarded_proto_only_from_trusted_proxies() -> None:
    settings = production(trusted_proxies=("10.0.0.0/8",))
    header = {"X-Forwarded-Proto": "https"}
    trusted = await _get(settings, "http://auth.example/health", header, "10.1.2.3")
    assert trusted.status_code == 200
    spoofed = await _get(settings, "http://auth.example/health", header, "203.0.113.9")
    assert spoofed.status_code == 400


async def test_development_allows_plain_http_without_hsts() -> None:
    reply = await _get(Settings(), "http://127.0.0.1/health", {}, "127.0.0.1")
    assert reply.status_code == 200
    assert "strict-transport-security" not in reply.headers
