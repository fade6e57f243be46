"""Engines for SQLite (aiosqlite) and PostgreSQL (asyncpg), and transactions.

SQLite: WAL, a busy timeout, foreign keys on, and pysqlite's own transaction
handling switched off so that we emit ``BEGIN`` ourselves: ``BEGIN IMMEDIATE``
for write transactions (the write lock is taken up front, so two writers
serialise instead of failing on lock upgrade), plain ``BEGIN`` for reads.
The SQLite file is created 0600 before SQLite opens it (SQLite gives its
``-wal`` and ``-shm`` files the database file's mode), and a database, WAL or
SHM open to other users is tightened at every connection (``gatepass.filemodes``).
PostgreSQL: row locks (``SELECT ... FOR UPDATE``) in the callers.

Every failure of the database itself becomes ``ServiceUnavailableError``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, exc, func, literal, select
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.dml import Insert, Update

from gatepass.errors import ConfigError, ServiceUnavailableError
from gatepass.filemodes import create_owner_only, restrict_to_owner

__all__ = [
    "SqlPart",
    "async_url",
    "create_engine",
    "serialise",
    "transaction",
    "unavailable",
    "unstorable",
]

_WRITE = "gatepass_write"
_ONE_STATEMENT = "gatepass_one_statement"
SQLITE_BUSY_TIMEOUT_S = 30
_WAL_RETRY_S = 0.01
PG_CONNECT_TIMEOUT_S = 5
PG_COMMAND_TIMEOUT_S = 30
PG_POOL_SIZE = 10
_ASYNCPG_OPTIONS = frozenset({"ssl"})


def async_url(database_url: str) -> URL:
    """Parse the URL and pick the async driver (never echoes the URL: it may hold a password)."""
    try:
        url = make_url(database_url)
    except (exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ConfigError("GATEPASS_DATABASE_URL is not a valid database URL") from None
    if url.port is not None and not 0 < url.port < 65536:
        raise ConfigError("GATEPASS_DATABASE_URL has a port outside 1-65535")
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ConfigError(
                "GATEPASS_DATABASE_URL: in-memory SQLite is not supported; "
                "use a file (sqlite:///./gatepass.db) or memory:// for tests"
            )
        return url.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        query = dict(url.query)
        if "sslmode" in query:  # libpq's name; asyncpg takes the same values as "ssl"
            query["ssl"] = query.pop("sslmode")
        unknown = set(query) - _ASYNCPG_OPTIONS
        if unknown:
            raise ConfigError(
                "GATEPASS_DATABASE_URL: only the sslmode/ssl query options are supported"
            )
        return url.set(drivername="postgresql+asyncpg", query=query)
    raise ConfigError("GATEPASS_DATABASE_URL must start with sqlite:// or postgresql://")


def create_engine(
    database_url: str, *, search_path: str | None = None, pool_size: int | None = None
) -> AsyncEngine:
    """SQLite, or PostgreSQL with at most ``pool_size`` connections (no overflow).

    asyncpg statements are prepared once per connection and kept (SQLAlchemy's
    asyncpg dialect caches 100 per connection; its compiled-SQL cache is on too).
    """
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        if search_path is not None:
            raise ConfigError("search_path is only for PostgreSQL")
        # Every transaction ends in our COMMIT or ROLLBACK, and pysqlite runs in
        # autocommit between them: the pool's own rollback on return would be one
        # more trip to aiosqlite's thread per transaction, for nothing.
        engine = create_async_engine(
            url, async_creator=_sqlite_connector(url.database or ""), pool_reset_on_return=None
        )
        _configure_sqlite(engine)
        return engine
    connect_args: dict[str, Any] = {
        "timeout": PG_CONNECT_TIMEOUT_S,
        "command_timeout": PG_COMMAND_TIMEOUT_S,
    }
    if search_path is not None:
        connect_args["server_settings"] = {"search_path": search_path}
    # A fixed bound, so connections per instance are the setting (sizing: docs/deployment.md).
    size = PG_POOL_SIZE if pool_size is None else pool_size
    engine = create_async_engine(url, connect_args=connect_args, pool_size=size, max_overflow=0)
    _skip_closed_connections(engine)
    return engine


def _skip_closed_connections(engine: AsyncEngine) -> None:
    """A pooled connection the server closed (a restart, a failover, an idle
    timeout, ``pg_terminate_backend``) is replaced at checkout, without a round
    trip: asyncpg knows the socket closed. ``pool_pre_ping`` would ask the server
    every time, one more round trip in each transaction (a refresh has four).
    A connection that is silently cut off fails its first statement (503) and
    SQLAlchemy then replaces every connection of the pool."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise exc.DisconnectionError("the server closed this connection")


def _sqlite_connector(path: str) -> Any:
    async def connect() -> aiosqlite.Connection:
        _owner_only(path)
        pending = aiosqlite.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S)
        thread = pending._thread
        thread.daemon = True
        try:
            conn = await pending
        except BaseException:
            # aiosqlite queues the stop of its worker thread without awaiting it;
            # wait for the thread, or it may report to an event loop that has closed.
            await asyncio.to_thread(thread.join, SQLITE_BUSY_TIMEOUT_S)
            raise
        try:
            await _use_wal(conn)
        except BaseException:
            await conn.close()
            raise
        return conn

    return connect


def _owner_only(path: str) -> None:
    """The database file exists with mode 0600; its WAL and SHM are no wider."""
    database = Path(path)
    create_owner_only(database)
    for suffix in ("-wal", "-shm"):
        restrict_to_owner(database.with_name(database.name + suffix))


async def _use_wal(conn: aiosqlite.Connection) -> None:
    """Switch the file to WAL (persistent: once per database file).

    Connections opening a new file at the same moment can get "database is
    locked" from the switch without SQLite calling the busy handler (it does
    so to avoid a deadlock), so the switch is retried, bounded by the busy
    timeout. Seen as a CI failure with three stores migrating one new file.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            async with conn.execute("PRAGMA journal_mode") as cursor:
                row = await cursor.fetchone()
            if row is None or str(row[0]).lower() != "wal":
                async with conn.execute("PRAGMA journal_mode=WAL"):
                    pass
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            await asyncio.sleep(_WAL_RETRY_S)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(_ONE_STATEMENT, False):
            return  # pysqlite is in autocommit: the one statement is its own transaction
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE, False) else "BEGIN")


def unavailable(error: BaseException) -> ServiceUnavailableError | None:
    """The error to raise for a database failure, or None if ``error`` is not one."""
    if isinstance(error, exc.IntegrityError):
        return None
    if isinstance(error, exc.ProgrammingError) or "no such table" in str(error):
        return ServiceUnavailableError(
            "The database schema is missing or out of date; run `gatepass db upgrade`"
        )
    if isinstance(error, exc.SQLAlchemyError | OSError | TimeoutError | ConnectionError):
        return ServiceUnavailableError("The database is unavailable, try again shortly")
    return None


@asynccontextmanager
async def transaction(
    engine: AsyncEngine, *, write: bool, single: bool = False
) -> AsyncIterator[AsyncConnection]:
    """One transaction; committed on success, rolled back on any error.

    ``single``: a connection for ONE statement, outside any transaction. One
    statement is atomic and sees one snapshot by itself, and a BEGIN and COMMIT
    around it would cost two more round trips to PostgreSQL (asyncpg in
    autocommit) and four more trips to aiosqlite's thread. Never for two
    statements that must agree with each other. (SQLite writes are never
    single: ``BEGIN IMMEDIATE`` queues writers.)
    """
    try:
        async with engine.connect() as conn:
            if single:
                if conn.dialect.name == "postgresql":
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                else:
                    await conn.execution_options(**{_ONE_STATEMENT: True})
                yield conn
                return
            if write:
                await conn.execution_options(**{_WRITE: True})
            async with conn.begin():
                yield conn
    except Exception as error:
        mapped = unavailable(error)
        if mapped is None:
            raise
        raise mapped from error


async def execute_together(conn: AsyncConnection, statements: Sequence[Insert | Update]) -> None:
    """Run writes that belong together, in the caller's transaction. PostgreSQL
    takes them as ONE statement (data-modifying CTEs travel in one round trip);
    SQLite has no data-modifying CTEs, and a statement costs it no round trip:
    one by one."""
    if conn.dialect.name == "postgresql":
        ctes = [statement.cte(f"w{i}") for i, statement in enumerate(statements)]
        await conn.execute(select(literal(1)).add_cte(*ctes))
    else:
        for statement in statements:
            await conn.execute(statement)


async def serialise(conn: AsyncConnection, lock_id: int) -> None:
    """Hold a PostgreSQL advisory lock until the transaction ends.

    SQLite write transactions are serialised already (``BEGIN IMMEDIATE``).
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock(lock_id)))


def unstorable(key: str) -> bool:
    """A key no row can have: PostgreSQL text cannot hold NUL, and would fail the query."""
    return "\x00" in key


class SqlPart:
    """What every part of ``SqlStore`` shares: one engine and its transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return transaction(self.engine, write=False)

    def reading_one(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """For one read statement: no transaction around it (``transaction``'s ``single``)."""
        return transaction(self.engine, write=False, single=True)

    def writing_together(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """For ONE ``execute_together`` of writes: on PostgreSQL that is one
        statement, atomic by itself, sent with no BEGIN or COMMIT (one round
        trip in all); on SQLite its statements in one write transaction."""
        single = self.engine.dialect.name == "postgresql"
        return transaction(self.engine, write=True, single=single)

    def writing(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """SQLite: ``BEGIN IMMEDIATE``, so writers queue instead of failing on upgrade."""
        return transaction(self.engine, write=True)
