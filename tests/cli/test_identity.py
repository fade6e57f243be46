"""The CLI applies the server's identity rules: one form of an email, the password policy."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from gatepass.identity.passwords import COMMON
from gatepass.store.sql.engine import create_engine
from gatepass.store.sql.migrate import alembic_config
from tests.cli.conftest import Cli

STRONG = "correct horse battery"


def _add(cli: Cli, email: str, password: str = STRONG) -> str:
    result = cli("users", "add", email, input=password + "\n")
    assert result.exit_code == 0, result.output
    return result.stdout.split()[-1]


@pytest.mark.parametrize("password", ["12345678", "password", "Password1", " " * 8])
def test_users_add_refuses_a_weak_password(cli: Cli, password: str) -> None:
    result = cli("users", "add", "ada@example.com", input=password + "\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("gatepass: weak_password: The password ")
    assert len(result.stderr.splitlines()) == 1
    assert cli.json("users", "list") == {"users": []}


def test_set_password_refuses_a_weak_password_and_keeps_the_old_one(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")
    result = cli("users", "set-password", ada, input="qwertyuiop\n")
    assert result.exit_code == 2
    assert result.stderr == f"gatepass: weak_password: {COMMON}\n"
    # The user's own email is an easy guess too.
    mine = cli("users", "set-password", ada, input="Ada@Example.com1\n")
    assert mine.exit_code == 2
    assert "weak_password" in mine.stderr


def test_users_add_stores_the_normalised_email_and_refuses_look_alikes(cli: Cli) -> None:
    _add(cli, "ＡＤＡ@EXA\u0308MPLE.com")
    listed = cli.json("users", "list")
    assert isinstance(listed, dict)
    assert [u["email"] for u in listed["users"]] == ["ada@xn--exmple-cua.com"]
    again = cli("users", "add", "ada@exämple.com", input=STRONG + "\n")
    assert again.exit_code == 2
    assert "user_exists" in again.stderr
    hidden = cli("users", "add", "a\u200bda@example.com", input=STRONG + "\n")
    assert hidden.exit_code == 2
    assert hidden.stderr.startswith("gatepass: invalid_email: ")
    assert "disabled user" in cli("users", "disable", "ADA@exämple.com").stdout


def _to_0001(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "0001")


def test_db_upgrade_prints_the_emails_it_could_not_fold(cli: Cli) -> None:
    async def seed() -> None:
        engine = create_engine(cli.url)
        async with engine.begin() as conn:
            await conn.run_sync(_to_0001)
            for user_id, email in [
                ("u1", "victim@example.com"),
                ("u2", "ｖｉｃｔｉｍ@example.com"),
                ("u3", "vic\u200btim@example.com"),
            ]:
                await conn.execute(
                    text(
                        "INSERT INTO users (id, email, password_hash, role, disabled,"
                        " created_at, tokens_not_before)"
                        " VALUES (:id, :email, 'h', 'user', false, 0, 0)"
                    ),
                    {"id": user_id, "email": email},
                )
        await engine.dispose()

    asyncio.run(seed())
    result = cli("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stdout == "database is up to date\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("gatepass: warning: email normalisation: ") for line in lines)
    assert "u1, u2" in lines[0]
    assert "u3" in lines[1]
    assert "@example.com" not in result.stderr
    assert len(cli.json("users", "list")["users"]) == 3  # type: ignore[index]
