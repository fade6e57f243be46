"""An app on a fresh memory store, driven in-process through httpx."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gatepass.server import create_app
from gatepass.server.ratelimit import Sleep
from gatepass.settings import Settings
from gatepass.store import open_store
from gatepass.store.protocols import Store
from tests.clock import Clock

PASSWORD = "correct horse battery"


@dataclass
class Server:
    app: FastAPI
    client: httpx.AsyncClient
    store: Store
    settings: Settings

    async def register_and_login(self, email: str = "ada@example.com") -> dict[str, Any]:
        reply = await self.client.post(
            "/auth/register", json={"email": email, "password": PASSWORD}
        )
        assert reply.status_code == 201, reply.text
        login = await self.client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        tokens: dict[str, Any] = login.json()
        return tokens


async def start(
    settings: Settings,
    store: Store | None = None,
    sleep: Sleep | None = None,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[Server]:
    """An app on ``store`` (a fresh memory store unless given; closed afterwards either way);
    ``sleep`` replaces the delayed logins' ``asyncio.sleep``, ``clock`` the time."""
    store = store or open_store("memory://")
    app = create_app(settings, store=store, sleep=sleep, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield Server(app, client, store, settings)
    await store.close()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async for running in start(Settings(refresh_grace=10)):
        yield running


@dataclass
class Running:
    """A server on a clock the test moves by hand (``running.clock.now += 601``)."""

    server: Server
    clock: Clock

    @property
    def client(self) -> httpx.AsyncClient:
        return self.server.client


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    clock = Clock()
    async for server in start(Settings(refresh_grace=10), clock=clock):
        yield Running(server, clock)
