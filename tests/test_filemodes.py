"""gatepass.filemodes: owner-only files, created so or tightened."""

from __future__ import annotations

import fcntl
import logging
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gatepass.filemodes import create_owner_only, restrict_to_owner


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_create_owner_only_makes_a_0600_file_and_keeps_an_existing_one(tmp_path: Path) -> None:
    path = tmp_path / "f"
    create_owner_only(path)
    assert (mode(path), path.read_bytes()) == (0o600, b"")
    path.write_bytes(b"kept")
    path.chmod(0o666)
    create_owner_only(path)
    assert (mode(path), path.read_bytes()) == (0o600, b"kept")


def test_restrict_to_owner_takes_group_and_other_bits_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    restrict_to_owner(tmp_path / "absent")  # nothing to do, no error
    path = tmp_path / "f"
    path.write_bytes(b"")
    path.chmod(0o440)
    restrict_to_owner(path)
    assert mode(path) == 0o400  # not made writable
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage() == f"{path} was open to other users (mode 440); changed it to 400"
    caplog.clear()
    restrict_to_owner(path)
    assert caplog.records == []


def test_create_owner_only_leaves_the_locks_on_an_existing_file(tmp_path: Path) -> None:
    """An existing file is not opened: closing a descriptor would drop this process's
    POSIX locks on it (the ones SQLite's open connections hold on the database)."""
    path = tmp_path / "gatepass.db"
    path.write_bytes(b"")
    with path.open("r+b") as held:
        fcntl.lockf(held, fcntl.LOCK_SH)
        create_owner_only(path)
        probe = (
            "import fcntl, sys\n"
            "with open(sys.argv[1], 'r+b') as f:\n"
            "    try:\n"
            "        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
            "    except OSError:\n"
            "        sys.exit(3)\n"
        )
        other = subprocess.run([sys.executable, "-c", probe, str(path)], check=False, timeout=30)
        assert other.returncode == 3, "another process could lock the file: our lock was lost"
