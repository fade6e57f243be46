"""The SQLite database, its WAL and its SHM are for their owner only (0600)."""

from __future__ import annotations

import logging
import sqlite3
import stat
from pathlib import Path

import pytest

from gatepass.store.sql.store import SqlStore

NOW = 1_800_000_000.0


def modes_in(directory: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir()}


@pytest.mark.usefixtures("open_umask")
async def test_a_new_database_its_wal_and_shm_are_0600(tmp_path: Path) -> None:
    database = tmp_path / "gatepass.db"
    store = SqlStore(f"sqlite:///{database}")
    try:
        await store.migrate()
        await store.create_user("ada@example.com", "hash", now=NOW)
        files = modes_in(tmp_path)
    finally:
        await store.close()
    assert files == {"gatepass.db": 0o600, "gatepass.db-wal": 0o600, "gatepass.db-shm": 0o600}


@pytest.mark.usefixtures("open_umask")
async def test_existing_files_open_to_others_are_tightened_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "gatepass.db"
    old = sqlite3.connect(database)  # what an older version left: 0644, in WAL mode
    try:
        old.execute("PRAGMA journal_mode=WAL")
        old.execute("CREATE TABLE t (x)")
        old.commit()  # the open connection keeps the WAL and SHM in place
        for name in ("gatepass.db", "gatepass.db-wal", "gatepass.db-shm"):
            (tmp_path / name).chmod(0o644)
        store = SqlStore(f"sqlite:///{database}")
        try:
            await store.migrate()
        finally:
            await store.close()
        modes = modes_in(tmp_path)
    finally:
        old.close()
    assert modes == {"gatepass.db": 0o600, "gatepass.db-wal": 0o600, "gatepass.db-shm": 0o600}
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for name in ("gatepass.db", "gatepass.db-wal", "gatepass.db-shm"):
        assert any(f"{name} was open to other users (mode 644)" in m for m in warned), warned
