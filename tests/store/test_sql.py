"""What only the SQL backend has: migrations, drivers, the database going away."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gatepass.errors import ConfigError, ServiceUnavailableError
from gatepass.store import MemoryStore, SigningKey, hash_token, open_store, upgrade
from gatepass.store.records import RefreshToken, Session
from gatepass.store.rotation import Reject, Replay, Requester, Rotate, RotationDecision
from gatepass.store.sql.engine import async_url, create_engine, transaction
from gatepass.store.sql.migrate import alembic_config
from gatepass.store.sql.store import SqlStore
from gatepass.store.sql.tables import metadata
from tests.store.conftest import (
    StoreMaker,
    before_statements,
    failing_statements,
    one_token,
    postgres_schema,
)

NOW = 1_700_000_000.0


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def test_migrations_build_exactly_the_tables(make_sql_store: StoreMaker) -> None:
    store = make_sql_store()
    await store.migrate()

    def diff(conn: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))

    async with store.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    assert version == head_revision()


async def test_migrate_is_idempotent_and_keeps_data(make_sql_store: StoreMaker) -> None:
    store = make_sql_store()
    await store.migrate()
    user = await store.create_user("a@example.com", "h", now=NOW)
    await store.migrate()
    await make_sql_store().migrate()
    assert await store.get_user(user.id) == user


async def test_concurrent_first_migrations_do_not_collide(make_sql_store: StoreMaker) -> None:
    stores = [make_sql_store() for _ in range(3)]
    await asyncio.gather(*(s.migrate() for s in stores))
    user = await stores[0].create_user("a@example.com", "h", now=NOW)
    assert await stores[2].get_user(user.id) == user


async def test_unmigrated_database_is_unavailable_with_a_hint(
    make_sql_store: StoreMaker,
) -> None:
    store = make_sql_store()
    with pytest.raises(ServiceUnavailableError, match="gatepass db upgrade"):
        await store.get_user("x")


async def test_a_one_statement_read_sends_no_begin_and_no_commit(tmp_path: Path) -> None:
    """SQLite: a single-statement read runs in pysqlite's autocommit (each BEGIN
    and COMMIT would be one more trip to aiosqlite's thread); a multi-statement
    write still takes its BEGIN IMMEDIATE."""
    store = SqlStore(f"sqlite:///{tmp_path / 'one.db'}")
    try:
        await store.migrate()
        user = await store.create_user("a@example.com", "h", now=NOW)
        sent: list[str] = []
        with before_statements(store, lambda *args: sent.append(args[2].split()[0].upper())):
            assert await store.get_user(user.id) == user
            assert await store.get_user_by_email("A@example.com") == user
            assert (await store.second_factors(user.id)).passkeys == 0
        assert sent == ["SELECT", "SELECT", "SELECT"]
        sent.clear()
        with before_statements(store, lambda *args: sent.append(args[2].split()[0].upper())):
            await store.start_session(
                user.id, "t" * 64, now=NOW, expires_at=NOW + 60, refresh_expires_at=NOW + 60
            )
        assert sent[0] == "BEGIN"
        assert sent.count("INSERT") == 3
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgres_autocommit_reads_leave_the_pooled_connection_transactional() -> None:
    """A one-statement read runs in autocommit; the same pooled connection, used
    next for a transaction, is in a transaction again (one txid for its statements)."""
    async with postgres_schema() as (url, schema):
        store = SqlStore(url, search_path=schema, pool_size=1)
        try:
            await store.migrate()
            for _ in range(3):
                async with store.reading_one() as conn:
                    alone = (await conn.execute(text("SELECT txid_current()"))).scalar()
                async with store.writing() as conn:
                    first = (await conn.execute(text("SELECT txid_current()"))).scalar()
                    second = (await conn.execute(text("SELECT txid_current()"))).scalar()
                assert first == second != alone
        finally:
            await store.close()


async def test_stores_share_one_database(make_sql_store: StoreMaker) -> None:
    a, b = make_sql_store(), make_sql_store()
    await a.migrate()
    user = await a.create_user("a@example.com", "h", now=NOW)
    assert await b.get_user_by_email("A@example.com") == user


async def test_rotations_from_separate_connections_serialise(make_sql_store: StoreMaker) -> None:
    """Ten stores (ten pools, so ten connections) rotate one token at once: the
    row lock (PostgreSQL) or BEGIN IMMEDIATE (SQLite) lets exactly one spend it,
    and every other call's ``decide`` sees the spent row."""
    stores = [make_sql_store() for _ in range(10)]
    await stores[0].migrate()
    user = await stores[0].create_user("a@example.com", "h", now=NOW)
    session = await stores[0].create_session(user.id, now=NOW, expires_at=NOW + 3600)
    token = await stores[0].add_refresh_token(
        session.id, hash_token("first"), now=NOW, expires_at=NOW + 600
    )
    seen_unspent: list[str] = []

    def decide(t: RefreshToken | None, s: Session | None, now: float) -> RotationDecision:
        assert t is not None
        assert s is not None
        if t.spent_at is None:
            seen_unspent.append(t.id)
            return Rotate(hash_token(f"successor-{len(seen_unspent)}"), NOW + 600, b"sealed")
        return Replay()

    results = await asyncio.gather(
        *(s.rotate_refresh(token.token_hash, NOW + 1, decide) for s in stores)
    )
    assert seen_unspent == [token.id]
    assert sorted(type(r.decision).__name__ for r in results) == ["Replay"] * 9 + ["Rotate"]
    successors = [r.successor for r in results]
    assert None not in successors
    assert len({s.id for s in successors if s is not None}) == 1
    async with stores[0].engine.connect() as conn:
        count = (await conn.execute(text("SELECT COUNT(*) FROM refresh_tokens"))).scalar()
    assert count == 2


async def test_a_refresh_whose_audit_insert_fails_is_rolled_back(
    make_sql_store: StoreMaker,
) -> None:
    made = await one_token(make_sql_store, NOW)
    store, session, token, rotate = made.store, made.session, made.token, made.rotate
    # On PostgreSQL the audit insert travels in the rotation's one statement (CTEs).
    failing = failing_statements(store, "INSERT INTO audit_events", anywhere=True)
    with failing as failed, pytest.raises(ServiceUnavailableError):
        await store.rotate_refresh(
            token.token_hash, NOW + 1, lambda *_: rotate, audit=Requester("203.0.113.7")
        )
    assert len(failed) == 1
    if store.engine.dialect.name == "sqlite":  # after the rotation's own statements
        assert failed[0].startswith("INSERT INTO AUDIT_EVENTS")
    assert await store.get_refresh_token(token.token_hash) == token
    assert await store.get_refresh_token(hash_token("next")) is None
    assert await store.get_session(session.id) == session
    assert await store.list_audit_events() == []


async def test_a_login_whose_audit_insert_fails_is_rolled_back(make_sql_store: StoreMaker) -> None:
    store = make_sql_store()
    await store.migrate()
    user = await store.create_user("a@example.com", "h", now=NOW)
    # On PostgreSQL the audit insert travels in the login's one statement (CTEs).
    failing = failing_statements(store, "INSERT INTO audit_events", anywhere=True)
    with failing as failed, pytest.raises(ServiceUnavailableError):
        await store.start_session(
            user.id, hash_token("t"), now=NOW, expires_at=NOW + 60, refresh_expires_at=NOW + 9
        )
    assert len(failed) == 1
    if store.engine.dialect.name == "sqlite":  # after the session's and the token's
        assert failed[0].startswith("INSERT INTO AUDIT_EVENTS")
    assert await store.list_sessions(now=NOW) == []
    assert await store.get_refresh_token(hash_token("t")) is None


def test_sync_upgrade_for_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    upgrade(url)

    async def check() -> None:
        store = open_store(url)
        try:
            await store.health()
            await store.create_user("a@example.com", "h", now=NOW)
            assert len(await store.list_users()) == 1
        finally:
            await store.close()

    asyncio.run(check())


def test_sync_upgrade_of_memory_is_a_no_op() -> None:
    upgrade("memory://")


async def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    try:
        await store.migrate()
        async with store.engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
            keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        assert (mode, keys) == ("wal", 1)
    finally:
        await store.close()


async def test_connections_opening_a_new_sqlite_file_together_all_succeed(
    tmp_path: Path,
) -> None:
    # Switching a new file to WAL can fail with "database is locked" without
    # SQLite calling the busy handler; three stores migrating one new file in
    # CI hit it about one time in three per attempt before the switch retried.
    for attempt in range(25):
        engines = [create_engine(f"sqlite:///{tmp_path / f'{attempt}.db'}") for _ in range(6)]

        async def first_query(engine: AsyncEngine) -> Any:
            async with transaction(engine, write=True) as conn:
                await conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
                return (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()

        try:
            modes = await asyncio.gather(*(first_query(e) for e in engines))
        finally:
            for engine in engines:
                await engine.dispose()
        assert modes == ["wal"] * 6


@pytest.mark.postgres
async def test_postgres_reconnects_after_its_connections_are_killed() -> None:
    async with postgres_schema() as (url, schema):
        store = SqlStore(url, search_path=schema)
        try:
            await store.migrate()
            user = await store.create_user("a@example.com", "h", now=NOW)
            async with store.engine.connect() as conn:  # the pooled connection
                pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
            killer = SqlStore(url)
            try:
                async with killer.engine.begin() as conn:
                    killed = await conn.execute(
                        text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}
                    )
                    assert killed.scalar() is True  # with a timeout: returns once it is gone
            finally:
                await killer.close()
            # The server closed the socket; the client reads that EOF on its next
            # turns of the event loop (no query is sent to find out).
            await asyncio.sleep(0.1)
            assert await store.get_user(user.id) == user
        finally:
            await store.close()


# --- URLs and the factory -----------------------------------------------------


def test_open_store_picks_the_backend(tmp_path: Path) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    for url in (
        f"sqlite:///{tmp_path / 'a.db'}",
        f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
        "postgresql://u@127.0.0.1/db",
        "postgresql+asyncpg://u@127.0.0.1/db",
        "postgres://u@127.0.0.1/db",
    ):
        assert isinstance(open_store(url), SqlStore)


def test_libpq_sslmode_is_taken_as_asyncpg_ssl() -> None:
    url = async_url("postgresql://u@127.0.0.1/db?sslmode=require")
    assert (url.drivername, dict(url.query)) == ("postgresql+asyncpg", {"ssl": "require"})


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:hunter2@localhost/db",
        "not a url",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql://u:pw@127.0.0.1:hunter2/db",
        "postgresql://u@127.0.0.1:99999/db",
        "postgresql://u@[::1/db",
        "postgresql://u@127.0.0.1/db?application_name=hunter2",
    ],
)
def test_unsupported_urls_are_config_errors_without_echo(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url)
    assert "GATEPASS_DATABASE_URL" in str(caught.value)
    assert "hunter2" not in str(caught.value)


# --- the database is gone -------------------------------------------------------


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def signing_key() -> SigningKey:
    return SigningKey("k", "EdDSA", "{}", "{}", "active", NOW)


CALLS: dict[str, Callable[[SqlStore], Awaitable[object]]] = {
    "migrate": lambda s: s.migrate(),
    "health": lambda s: s.health(),
    "create_user": lambda s: s.create_user("a@example.com", "h", now=NOW),
    "get_user": lambda s: s.get_user("u"),
    "get_user_by_email": lambda s: s.get_user_by_email("a@example.com"),
    "update_user": lambda s: s.update_user("u", role="admin"),
    "list_users": lambda s: s.list_users(),
    "create_session": lambda s: s.create_session("u", now=NOW, expires_at=NOW + 1),
    "get_session": lambda s: s.get_session("s"),
    "touch_session": lambda s: s.touch_session("s", now=NOW),
    "list_active_sessions": lambda s: s.list_active_sessions("u", now=NOW),
    "revoke_session": lambda s: s.revoke_session("s", now=NOW, reason="x"),
    "revoke_user_sessions": lambda s: s.revoke_user_sessions("u", now=NOW, reason="x"),
    "add_refresh_token": lambda s: s.add_refresh_token(
        "s", hash_token("t"), now=NOW, expires_at=NOW + 1
    ),
    "get_refresh_token": lambda s: s.get_refresh_token(hash_token("t")),
    "rotate_refresh": lambda s: s.rotate_refresh(hash_token("t"), NOW, lambda *_: Reject("x")),
    "start_session": lambda s: s.start_session(
        "u", hash_token("t"), now=NOW, expires_at=NOW + 1, refresh_expires_at=NOW + 1
    ),
    "add_revocation": lambda s: s.add_revocation(
        "jti", "j", not_before=NOW, now=NOW, expires_at=NOW + 1
    ),
    "revocations_since": lambda s: s.revocations_since(0),
    "live_revocations": lambda s: s.live_revocations(now=NOW),
    "purge_revocations": lambda s: s.purge_revocations(now=NOW),
    "add_signing_key": lambda s: s.add_signing_key(signing_key()),
    "list_signing_keys": lambda s: s.list_signing_keys(),
    "set_signing_key_status": lambda s: s.set_signing_key_status("k", "retired"),
    "add_audit_event": lambda s: s.add_audit_event("login", at=NOW),
    "list_audit_events": lambda s: s.list_audit_events(),
}


@pytest.mark.parametrize("call", sorted(CALLS))
async def test_dead_postgres_is_service_unavailable(call: str) -> None:
    store = SqlStore(f"postgresql://postgres:pw-never-shown@127.0.0.1:{unused_port()}/test")
    try:
        with pytest.raises(ServiceUnavailableError) as caught:
            await CALLS[call](store)
        assert "pw-never-shown" not in str(caught.value)
        assert "127.0.0.1" not in str(caught.value)
    finally:
        await store.close()


@pytest.mark.parametrize("call", sorted(CALLS))
async def test_unreachable_sqlite_is_service_unavailable(call: str, tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'missing-dir' / 'gatepass.db'}")
    try:
        with pytest.raises(ServiceUnavailableError):
            await CALLS[call](store)
    finally:
        await store.close()


async def test_sqlite_deleted_under_a_running_store(tmp_path: Path) -> None:
    directory = tmp_path / "db"
    directory.mkdir()
    store = SqlStore(f"sqlite:///{directory / 'gatepass.db'}")
    try:
        await store.migrate()
        await store.health()
        await store.engine.dispose()  # drop pooled connections, as after a restart
        for child in directory.iterdir():
            child.unlink()
        directory.rmdir()
        with pytest.raises(ServiceUnavailableError):
            await store.health()
    finally:
        await store.close()


async def test_a_database_from_the_first_release_upgrades_keeping_its_users(
    make_sql_store: StoreMaker,
) -> None:
    """0001 had users.tokens_not_before; head drops it, keeping every row and its sessions."""
    from alembic import command

    store = make_sql_store()

    def to_first_release(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), "0001")

    async with store.engine.begin() as conn:
        await conn.run_sync(to_first_release)
        await conn.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, disabled, created_at,"
                " tokens_not_before) VALUES ('u1', 'a@example.com', 'h', 'user', false, 1, 7)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at,"
                " user_agent, ip) VALUES ('s1', 'u1', 1, 1, 9e9, '', '')"
            )
        )
    await store.migrate()
    user = await store.get_user("u1")
    assert user is not None
    assert user.email == "a@example.com"
    assert await store.get_session("s1") is not None

    async with store.engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: [c["name"] for c in sa_inspect(sync).get_columns("users")]
        )
    assert "tokens_not_before" not in columns
