"""Migration 0005: users.email_verified, false for every user a 0004 database holds."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.engine import Connection

from gatepass.store.sql.migrate import alembic_config
from gatepass.store.sql.store import SqlStore
from tests.store.conftest import StoreMaker

INSERT_USER = text(
    "INSERT INTO users (id, email, password_hash, role, disabled, created_at)"
    " VALUES (:id, :email, 'h', 'user', :disabled, 1)"
)


def _up_to_0004(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "0004")


def _down_to_0004(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "0004")


async def _user_columns(store: SqlStore) -> list[str]:
    async with store.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: [c["name"] for c in sa_inspect(sync).get_columns("users")]
        )


async def test_existing_users_are_unverified_and_keep_their_sessions(
    make_sql_store: StoreMaker,
) -> None:
    store = make_sql_store()
    async with store.engine.begin() as conn:
        await conn.run_sync(_up_to_0004)
        await conn.execute(INSERT_USER, {"id": "u1", "email": "a@example.com", "disabled": False})
        await conn.execute(INSERT_USER, {"id": "u2", "email": "b@example.com", "disabled": True})
        await conn.execute(
            text(
                "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at)"
                " VALUES ('s1', 'u1', 1, 1, 9e9)"
            )
        )
    assert "email_verified" not in await _user_columns(store)
    await store.migrate()
    users = await store.list_users()
    assert [(u.id, u.disabled, u.email_verified) for u in users] == [
        ("u1", False, False),
        ("u2", True, False),
    ]
    assert await store.get_session("s1") is not None
    # The column's default holds for a row written without it (an older server
    # still running during a rolling upgrade).
    async with store.engine.begin() as conn:
        await conn.execute(INSERT_USER, {"id": "u3", "email": "c@example.com", "disabled": False})
    fresh = await store.get_user("u3")
    assert fresh is not None
    assert fresh.email_verified is False


async def test_0005_downgrades_and_upgrades_again(make_sql_store: StoreMaker) -> None:
    store = make_sql_store()
    await store.migrate()
    user = await store.create_user("a@example.com", "h", now=1.0, email_verified=True)
    await store.create_session(user.id, now=1.0, expires_at=9e9)
    async with store.engine.begin() as conn:
        await conn.run_sync(_down_to_0004)
    assert "email_verified" not in await _user_columns(store)
    await store.migrate()
    again = await store.get_user(user.id)
    assert again is not None
    assert (again.email, again.email_verified) == ("a@example.com", False)
    assert len(await store.list_sessions(now=1.0, user_id=user.id)) == 1
