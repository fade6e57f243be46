"""Backends for the store contract suite: memory, SQLite (a temp file), PostgreSQL.

PostgreSQL comes from ``GATEPASS_TEST_DATABASE_URL``; each test gets a fresh
schema (via ``search_path``) that is dropped afterwards, so concurrent runs
never collide. Without the variable the PostgreSQL cases skip, except under
``CI=true`` where a missing database fails the run.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

from gatepass.store import MemoryStore, Store, hash_token
from gatepass.store.records import RefreshToken, Session, User
from gatepass.store.rotation import Rotate
from gatepass.store.sql.engine import async_url
from gatepass.store.sql.store import SqlStore
from tests.services import service_url


def postgres_url() -> str:
    return service_url("GATEPASS_TEST_DATABASE_URL")


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[tuple[str, str]]:
    """A fresh, empty schema; yields (database_url, schema) and drops it afterwards."""
    url = postgres_url()
    schema = f"gp_test_{uuid.uuid4().hex}"
    admin = create_async_engine(async_url(url))
    try:
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield url, schema
    finally:
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.dispose()


StoreMaker = Callable[[], SqlStore]


@asynccontextmanager
async def sql_store_maker(kind: str, tmp_path: Path) -> AsyncIterator[StoreMaker]:
    """A factory of SqlStores all pointing at one fresh database; closes them all."""
    made: list[SqlStore] = []
    async with _database(kind, tmp_path) as (url, schema):

        def make() -> SqlStore:
            store = SqlStore(url, search_path=schema)
            made.append(store)
            return store

        try:
            yield make
        finally:
            for store in made:
                await store.close()


@asynccontextmanager
async def _database(kind: str, tmp_path: Path) -> AsyncIterator[tuple[str, str | None]]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'gatepass.db'}", None
        return
    async with postgres_schema() as (url, schema):
        yield url, schema


SQL_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
BACKENDS = [pytest.param("memory", id="memory"), *SQL_BACKENDS]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty store of every backend."""
    if request.param == "memory":
        yield MemoryStore()
        return
    async with sql_store_maker(request.param, tmp_path) as make:
        sql = make()
        await sql.migrate()
        yield sql


@pytest.fixture(params=SQL_BACKENDS)
async def make_sql_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StoreMaker]:
    """Several SqlStores (separate pools) on one fresh, unmigrated database."""
    async with sql_store_maker(request.param, tmp_path) as make:
        yield make


@dataclass(frozen=True)
class OneToken:
    """A migrated store with one user, one session, its refresh token ``t``, and
    the ``Rotate`` decision that spends it for ``next``."""

    store: SqlStore
    user: User
    session: Session
    token: RefreshToken
    rotate: Rotate


async def one_token(make: StoreMaker, now: float) -> OneToken:
    store = make()
    await store.migrate()
    user = await store.create_user("a@example.com", "h", now=now)
    session = await store.create_session(user.id, now=now, expires_at=now + 3600)
    token = await store.add_refresh_token(session.id, hash_token("t"), now=now, expires_at=now + 60)
    rotate = Rotate(token_hash=hash_token("next"), expires_at=now + 60, sealed=b"s")
    return OneToken(store, user, session, token, rotate)


@contextmanager
def before_statements(store: SqlStore, hook: Callable[..., None]) -> Iterator[None]:
    """``hook(conn, cursor, statement, ...)`` runs before each statement ``store`` sends."""
    engine = store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hook)


@contextmanager
def failing_statements(
    store: SqlStore, starts_with: str, times: int = 1, *, anywhere: bool = False
) -> Iterator[list[str]]:
    """The next ``times`` statements of ``store`` starting with ``starts_with`` (or,
    ``anywhere``, holding it) fail as a dropped connection does (OSError from the
    driver); yields what failed."""
    failed: list[str] = []

    def fail(*args: Any) -> None:
        statement: str = args[2].lstrip().upper()
        wanted = starts_with.upper()
        matches = wanted in statement if anywhere else statement.startswith(wanted)
        if len(failed) < times and matches:
            failed.append(statement)
            raise OSError("injected database failure")

    with before_statements(store, fail):
        yield failed
