"""Several app instances on one database: the scale-out tests' harness (in-process).

``running(settings, store)`` starts one app on the given store and yields a
``tests.server.conftest.Server``; ``shared_stores(kind, tmp_path)`` makes
store handles with separate pools on one fresh SQLite file or PostgreSQL
schema; ``eventually`` is the bounded wait every cross-instance check uses.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from gatepass.server import create_app
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from tests.server.conftest import Server
from tests.store.conftest import StoreMaker, sql_store_maker

__all__ = ["eventually", "running", "shared_stores"]


@asynccontextmanager
async def running(settings: Settings, store: Store) -> AsyncIterator[Server]:
    """One app instance on ``store`` (the caller closes the store)."""
    await store.migrate()
    app = create_app(settings, store=store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield Server(app, client, store, settings)


@asynccontextmanager
async def shared_stores(kind: str, tmp_path: Path) -> AsyncIterator[StoreMaker]:
    """Store handles (separate pools) on one fresh database: "sqlite" or "postgres"."""
    async with sql_store_maker(kind, tmp_path) as make:
        yield make


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 1.0, step: float = 0.02
) -> float:
    """Seconds until ``check()`` held; AssertionError after ``within`` seconds (bounded loop)."""
    start = time.monotonic()
    for _ in range(int(within / step) + 1):
        if await check():
            return time.monotonic() - start
        if time.monotonic() - start > within:
            break
        await asyncio.sleep(step)
    raise AssertionError(f"not within {within} s")
