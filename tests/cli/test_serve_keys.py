"""`gatepass serve` and the keys at rest: 0600 files, sealed rows, refusals in one line."""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import GATEPASS, Cli, Server

PASSWORD = "correct horse battery"


def _modes(directory: Path) -> dict[str, int]:
    return {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in directory.iterdir()
        if p.name.startswith("served.db")
    }


def _refused_start(cli: Cli, **env: str) -> subprocess.CompletedProcess[str]:
    """``gatepass serve`` on the ``cli`` database, which must exit before it listens."""
    return subprocess.run(
        [GATEPASS, "serve"],
        cwd=cli.database.parent,
        env={**os.environ, "GATEPASS_DATABASE_URL": cli.url, "GATEPASS_PORT": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.usefixtures("open_umask")
def test_serve_on_a_fresh_sqlite_path_makes_0600_files_without_a_private_key_in_clear(
    server: Server,
) -> None:
    server.start()
    creds = {"email": "ada@example.com", "password": PASSWORD}
    assert httpx.post(f"{server.base}/auth/register", json=creds, timeout=10).status_code == 201
    modes = _modes(server.database.parent)
    server.stop()
    assert modes == {
        "served.db": 0o600,
        "served.db-wal": 0o600,
        "served.db-shm": 0o600,
        "served.db.kek": 0o600,
    }
    with sqlite3.connect(server.database) as db:
        dumped = "\n".join(db.iterdump())
        (stored,) = db.execute("SELECT private_jwk FROM signing_keys").fetchone()
    assert stored.startswith("enc:v1:")
    assert '"d":' not in dumped


def test_serve_refuses_a_wrong_key_encryption_key_in_one_line(cli: Cli) -> None:
    cli.env["GATEPASS_KEY_ENCRYPTION_KEY"] = secrets.token_urlsafe(32)
    assert cli("keys", "rotate").exit_code == 0
    wrong = secrets.token_urlsafe(32)
    refused = _refused_start(cli, GATEPASS_KEY_ENCRYPTION_KEY=wrong)
    assert refused.returncode == 2
    assert refused.stderr == (
        "gatepass: invalid_config: GATEPASS_KEY_ENCRYPTION_KEY does not open the stored signing"
        " keys: it is not the key they were encrypted with (every server and the CLI need the"
        " same one)\n"
    )
    assert refused.stdout == ""


def test_serve_in_production_without_a_key_encryption_key_refuses_to_start(cli: Cli) -> None:
    refused = _refused_start(cli, GATEPASS_ENV="production")
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        "gatepass: invalid_config: GATEPASS_KEY_ENCRYPTION_KEY must be set in production"
    )
    assert refused.stderr.count("\n") == 1
    assert not cli.database.with_name("gatepass.db.kek").exists()


def test_serve_in_production_without_smtp_or_mail_off_refuses_to_start(cli: Cli) -> None:
    kek = secrets.token_urlsafe(32)
    refused = _refused_start(cli, GATEPASS_ENV="production", GATEPASS_KEY_ENCRYPTION_KEY=kek)
    assert refused.returncode == 2
    assert refused.stderr == (
        "gatepass: invalid_config: production needs GATEPASS_SMTP_URL "
        "(or GATEPASS_MAIL=off to send no mail)\n"
    )
