"""Run the packaged Alembic migrations on an open connection, programmatically."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["MIGRATIONS_DIR", "alembic_config", "run_migrations"]

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Any constant works; it only has to be the same for every gatepass process.
_PG_MIGRATION_LOCK = 0x6761746570617373  # "gatepass"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def run_migrations(conn: AsyncConnection) -> None:
    """Upgrade to head inside the caller's (write) transaction.

    Two servers starting at once must not both create tables: PostgreSQL takes
    a transaction-scoped advisory lock; SQLite's ``BEGIN IMMEDIATE`` already
    holds the database write lock.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    await conn.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
