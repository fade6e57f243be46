"""A refresh on SQL: one locked read, then the rotation's writes (one statement on
PostgreSQL), in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.pool import QueuePool

from gatepass.store import hash_token
from gatepass.store.rotation import Requester, Rotate
from gatepass.store.sql.engine import PG_POOL_SIZE
from gatepass.store.sql.store import SqlStore
from tests.store.conftest import StoreMaker, before_statements, one_token

NOW = 1_700_000_000.0


async def test_a_rotation_reads_token_session_and_user_in_one_statement(
    make_sql_store: StoreMaker,
) -> None:
    made = await one_token(make_sql_store, NOW)
    store, user, token, rotate = made.store, made.user, made.token, made.rotate
    sent: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        sent.append(" ".join(statement.split()))

    with before_statements(store, record):
        result = await store.rotate_refresh(
            token.token_hash, NOW + 1, lambda *_: rotate, audit=Requester("203.0.113.7")
        )
    assert result.user == user
    assert result.session is not None
    assert result.session.last_used_at == NOW + 1
    assert result.token is not None
    assert result.token.spent_at == NOW + 1
    writes = [
        "INSERT INTO refresh_tokens",
        "UPDATE refresh_tokens SET",
        "UPDATE sessions SET",
        "INSERT INTO audit_events",
    ]
    work = [s for s in sent if s.split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")]
    if store.engine.dialect.name == "postgresql":  # the writes in ONE statement: CTEs
        (read, together) = work
        assert together.startswith("WITH ")
        places = [together.find(write) for write in writes]
        assert -1 not in places
        assert places == sorted(places)
    else:  # SQLite: no data-modifying CTEs; the same writes one by one
        assert [" ".join(s.split()[:3]) for s in work[1:]] == writes
        read = work[0]
    assert read.startswith("SELECT")
    assert "JOIN sessions" in read
    assert "JOIN users" in read
    if store.engine.dialect.name == "postgresql":
        assert read.endswith("FOR UPDATE OF refresh_tokens, sessions")


async def test_an_unknown_token_is_one_read_and_nothing_written(
    make_sql_store: StoreMaker,
) -> None:
    store = make_sql_store()
    await store.migrate()
    seen: list[tuple[object, object]] = []
    sent: list[str] = []

    def decide(token: object, session: object, now: float) -> Rotate:
        seen.append((token, session))
        return Rotate(token_hash=hash_token("next"), expires_at=NOW + 60, sealed=b"s")

    with before_statements(store, lambda *args: sent.append(args[2])):
        result = await store.rotate_refresh(hash_token("unknown"), NOW, decide)
    assert seen == [(None, None)]
    assert result.token is None
    assert result.session is None
    assert result.user is None
    assert [s.split()[0] for s in sent if s.split()[0] != "BEGIN"] == ["SELECT"]


def test_postgres_holds_at_most_the_pool_size_in_connections() -> None:
    # No overflow: connections per instance are GATEPASS_DATABASE_POOL_SIZE (docs/deployment.md).
    url = "postgresql://gp@db.invalid/gatepass"
    for size, expected in ((None, PG_POOL_SIZE), (3, 3)):
        pool = SqlStore(url, pool_size=size).engine.pool
        assert isinstance(pool, QueuePool)
        # SQLAlchemy shows max_overflow only as an attribute of its own.
        assert (pool.size(), pool._max_overflow) == (expected, 0)
