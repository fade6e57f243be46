"""Settings, the database and exit codes: every failure is one line, never a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.serving import GATEPASS


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


@pytest.mark.parametrize(
    "argv",
    [
        ["users", "set-password", "ada@example.com", "hunter2-in-argv"],
        ["no-such-command"],
        ["token", "verify", "--bogus", "x"],
        ["serve", "--port", "not-a-number"],
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv: list[str]) -> None:
    """The real entry point (not CliRunner): click's usage block becomes one line."""
    done = subprocess.run(
        [str(GATEPASS), *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("gatepass: usage: ")
    assert "hunter2" not in done.stderr
    assert "Traceback" not in done.stderr


def test_a_group_without_a_command_shows_its_help() -> None:
    done = subprocess.run(
        [str(GATEPASS), "users"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "set-password" in done.stdout
