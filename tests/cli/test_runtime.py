"""Settings, the database and exit codes: every failure is one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli


def test_db_upgrade(cli: Cli) -> None:
    result = cli("db", "upgrade")
    assert (result.exit_code, result.stdout) == (0, "database is up to date\n")
    assert cli.database.exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:9/none",
        "sqlite+aiosqlite:////nonexistent-dir/for/gatepass.db",
    ],
    ids=["postgres-refused", "sqlite-unopenable"],
)
@pytest.mark.parametrize(
    "command",
    [
        ("db", "upgrade"),
        ("users", "list"),
        ("sessions", "list"),
        ("keys", "list"),
        ("keys", "rotate"),
        ("sessions", "revoke-all", "ada@example.com"),
    ],
)
def test_a_dead_database_is_one_line(cli: Cli, url: str, command: tuple[str, ...]) -> None:
    result = cli(*command, env={"GATEPASS_DATABASE_URL": url})
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("gatepass: service_unavailable: ")
    assert "127.0.0.1:9" not in result.stderr


def test_bad_settings_are_one_line(cli: Cli) -> None:
    result = cli("users", "list", env={"GATEPASS_ACCESS_TTL": "soon"})
    assert result.exit_code == 2
    assert result.stderr == (
        "gatepass: invalid_config: GATEPASS_ACCESS_TTL must be a duration in seconds, "
        "or like 15m, 12h, 7d\n"
    )


def test_usage_errors_exit_2(cli: Cli, tmp_path: Path) -> None:
    assert cli("no-such-command").exit_code == 2
    assert cli("users", "list", "--limit", "0").exit_code == 2
    assert cli("token").exit_code == 2  # prints help
    assert "decode" in cli("token").output
