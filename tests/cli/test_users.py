"""`gatepass users add`: password from stdin, never argv; then the user can log in."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from gatepass.server.passwords import Passwords
from gatepass.settings import Settings
from gatepass.store import open_store

GATEPASS = str(Path(sys.executable).with_name("gatepass"))


def _run(args: list[str], stdin: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    return subprocess.run(
        [GATEPASS, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_users_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "gatepass.db"
    done = _run(
        ["users", "add", "ada@example.com", "--role", "admin"], "correct horse battery\n", db
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created user ")

    async def check() -> None:
        store = open_store(f"sqlite+aiosqlite:///{db}")
        user = await store.get_user_by_email("ada@example.com")
        await store.close()
        assert user is not None
        assert user.role == "admin"
        ok, _ = await Passwords(Settings()).verify(user.password_hash, "correct horse battery")
        assert ok

    asyncio.run(check())


def test_users_add_refuses_short_passwords_and_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "gatepass.db"
    short = _run(["users", "add", "ada@example.com"], "short\n", db)
    assert short.returncode != 0
    assert "8 to 1024" in short.stderr
    assert "Traceback" not in short.stderr
    assert _run(["users", "add", "ada@example.com"], "correct horse battery\n", db).returncode == 0
    again = _run(["users", "add", "ADA@example.com"], "correct horse battery\n", db)
    assert again.returncode == 2
    assert "user_exists" in again.stderr
    assert "Traceback" not in again.stderr
