"""The server's signing keys at rest: sealed in every database, files 0600, old rows upgraded.

Issue 12 point 6: ``gatepass.db`` and its WAL were 0644 and held the Ed25519
key in plain text, so anyone who could read the file could mint admin tokens.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gatepass.errors import ConfigError
from gatepass.jose import Key
from gatepass.server import create_app
from gatepass.server.cookies import CsrfTokens
from gatepass.settings import Secret, Settings
from gatepass.store.protocols import Store
from gatepass.store.records import SigningKey
from gatepass.store.sql.store import SqlStore
from gatepass.tokens.keyring import is_sealed, open_private_jwk
from tests.server.conftest import PASSWORD, start
from tests.store.conftest import postgres_schema
from tests.test_kek import plain_record


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app opening its own store from ``settings.database_url``, as ``gatepass serve``."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def sqlite_settings(directory: Path, **changes: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{directory / 'gatepass.db'}", **changes)


def modes_in(directory: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir()}


def dump(database: Path) -> str:
    with sqlite3.connect(database) as db:
        return "\n".join(db.iterdump())


@pytest.mark.usefixtures("open_umask")
async def test_a_fresh_sqlite_database_and_key_file_are_0600_and_hold_no_private_key(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = sqlite_settings(data)
    async with serving(settings) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            creds = {"email": "ada@example.com", "password": PASSWORD}
            assert (await client.post("/auth/register", json=creds)).status_code == 201
            assert (await client.post("/auth/login", json=creds)).status_code == 200
        active: Key = app.state.gatepass.keyring.active
        modes = modes_in(data)
        text = dump(data / "gatepass.db")
    assert modes == {
        "gatepass.db": 0o600,
        "gatepass.db-wal": 0o600,
        "gatepass.db-shm": 0o600,
        "gatepass.db.kek": 0o600,
    }
    private = active.export_jwk(private=True)
    assert 'INSERT INTO "signing_keys"' in text
    assert '"d":' not in text
    assert private["d"] not in text


async def test_plain_rows_of_an_older_version_are_sealed_at_start_and_csrf_survives(
    tmp_path: Path,
) -> None:
    settings = sqlite_settings(tmp_path)
    old = SqlStore(settings.database_url)
    await old.migrate()
    key, record = plain_record()
    await old.add_signing_key(record)
    await old.close()
    csrf_before = CsrfTokens(key).token("live-cookie-session")
    async with serving(settings) as app:
        state = app.state.gatepass
        assert state.keyring.active.kid == key.kid
        assert state.csrf.token("live-cookie-session") == csrf_before
    (row,) = await _rows(settings)
    assert is_sealed(row.private_jwk)
    kek = (tmp_path / "gatepass.db.kek").read_text().strip()
    assert open_private_jwk(row.private_jwk, kek, row.kid) == record.private_jwk
    assert '"d":' not in dump(tmp_path / "gatepass.db")
    # The next start opens the sealed row: same key, same CSRF key.
    async with serving(settings) as app:
        assert app.state.gatepass.csrf.token("live-cookie-session") == csrf_before


async def _rows(settings: Settings) -> list[SigningKey]:
    store = SqlStore(settings.database_url)
    try:
        return await store.list_signing_keys()
    finally:
        await store.close()


async def test_production_without_a_key_encryption_key_refuses_to_start(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path, env="production", mail="off")
    with pytest.raises(ConfigError, match="GATEPASS_KEY_ENCRYPTION_KEY must be set in production"):
        async with serving(settings):
            pass
    assert not (tmp_path / "gatepass.db.kek").exists()
    assert (await _rows(settings)) == []  # no key was made either


async def test_a_wrong_key_encryption_key_is_a_clear_error_at_start(tmp_path: Path) -> None:
    right = sqlite_settings(tmp_path, key_encryption_key=Secret(secrets.token_urlsafe(32)))
    async with serving(right):
        pass
    wrong = sqlite_settings(tmp_path, key_encryption_key=Secret(secrets.token_urlsafe(32)))
    with pytest.raises(ConfigError) as refused:
        async with serving(wrong):
            pass
    assert refused.value.code == "invalid_config"
    assert refused.value.message.startswith(
        "GATEPASS_KEY_ENCRYPTION_KEY does not open the stored signing keys"
    )
    # And the key file the default would use cannot open them either, nor is one made.
    with pytest.raises(ConfigError, match="does not exist"):
        async with serving(sqlite_settings(tmp_path)):
            pass
    assert not (tmp_path / "gatepass.db.kek").exists()


@pytest.mark.postgres
async def test_postgres_rows_are_sealed_too(tmp_path: Path) -> None:
    async with postgres_schema() as (url, schema):
        store: Store = SqlStore(url, search_path=schema)
        await store.migrate()
        settings = Settings(database_url=url)
        async for server in start(settings, store):
            await server.register_and_login()
            active = server.app.state.gatepass.keyring.active
        raw = SqlStore(url, search_path=schema)
        try:
            (row,) = await raw.list_signing_keys()
        finally:
            await raw.close()
    assert is_sealed(row.private_jwk)
    assert '"d"' not in row.private_jwk
    kek = (tmp_path / "gatepass.kek").read_text().strip()  # ./gatepass.kek (tests/conftest.py)
    opened = json.loads(open_private_jwk(row.private_jwk, kek, row.kid))
    assert opened == active.export_jwk(private=True)
