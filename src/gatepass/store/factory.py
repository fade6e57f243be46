"""``open_store(database_url)``: pick the backend from the URL."""

from __future__ import annotations

import asyncio

from gatepass.errors import ConfigError
from gatepass.store.memory import MemoryStore
from gatepass.store.protocols import Store

__all__ = ["check_database_url", "open_store", "upgrade"]


def open_store(database_url: str, *, pool_size: int | None = None) -> Store:
    """``memory://`` -> MemoryStore; ``sqlite...`` / ``postgresql...`` -> SqlStore.

    Plain ``sqlite://`` and ``postgresql://`` URLs get the async drivers
    (aiosqlite, asyncpg). The engine connects lazily: call ``migrate()`` or
    ``health()`` to find out whether the database answers. ``pool_size``: the
    most PostgreSQL connections this store holds (``GATEPASS_DATABASE_POOL_SIZE``).
    """
    if database_url == "memory://":
        return MemoryStore()
    _check_sql_scheme(database_url)
    from gatepass.store.sql.store import SqlStore

    return SqlStore(database_url, pool_size=pool_size)


def check_database_url(database_url: str) -> None:
    """Raise ConfigError for a URL ``open_store`` or its driver would refuse; no I/O.

    For a caller that must know before it starts (``gatepass serve``): the
    engine only meets a bad port or query option at its first connection.
    """
    if database_url == "memory://":
        return
    _check_sql_scheme(database_url)
    from gatepass.store.sql.engine import async_url

    async_url(database_url)


def _check_sql_scheme(database_url: str) -> None:
    scheme = database_url.partition("://")[0].lower()
    if not scheme.startswith(("sqlite", "postgresql", "postgres")):
        raise ConfigError("GATEPASS_DATABASE_URL must start with sqlite:// or postgresql://")


def upgrade(database_url: str) -> None:
    """Migrate the database to the latest schema (``gatepass db upgrade``); sync."""
    asyncio.run(_upgrade(database_url))


async def _upgrade(database_url: str) -> None:
    store = open_store(database_url)
    try:
        await store.migrate()
    finally:
        await store.close()
