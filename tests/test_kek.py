"""gatepass.kek: where the key-encryption key comes from, its checks, sealing old rows."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import stat
from collections.abc import AsyncIterator, Collection
from pathlib import Path

import pytest

from gatepass.errors import ConfigError
from gatepass.jose import Key
from gatepass.kek import key_encryption_key, key_file_path
from gatepass.settings import Secret, Settings
from gatepass.store import MemoryStore
from gatepass.store.protocols import Store
from gatepass.store.records import KeyStatus, SigningKey
from gatepass.store.sql.store import SqlStore
from gatepass.tokens.keyring import is_sealed, new_signing_record, open_private_jwk

NOW = 1_800_000_000.0


def plain_record(created_at: float = NOW) -> tuple[Key, SigningKey]:
    """A key as versions before sealing stored it: the private JWK in plain text."""
    key = Key.generate("EdDSA")
    record = SigningKey(
        kid=key.kid,
        alg="EdDSA",
        private_jwk=json.dumps(key.export_jwk(private=True)),
        public_jwk=json.dumps(key.export_jwk()),
        status="active",
        created_at=created_at,
    )
    return key, record


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[tuple[Settings, Store]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'gatepass.db'}")
    store = SqlStore(settings.database_url)
    await store.migrate()
    yield settings, store
    await store.close()


def test_key_file_path_beside_sqlite_in_the_working_directory_else_as_set(
    tmp_path: Path,
) -> None:
    beside = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/data/auth.db")
    assert key_file_path(beside) == tmp_path / "data" / "auth.db.kek"
    assert key_file_path(Settings()) == Path("gatepass.db.kek")
    postgres = Settings(database_url="postgresql://gp@db.internal/gatepass")
    assert key_file_path(postgres) == Path("gatepass.kek")
    chosen = Settings(database_url=postgres.database_url, key_encryption_key_file="/run/kek")
    assert key_file_path(chosen) == Path("/run/kek")


async def test_a_key_file_is_made_once_0600_and_its_path_logged(
    sqlite: tuple[Settings, Store], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, store = sqlite
    caplog.set_level(logging.INFO, logger="gatepass")
    first = await key_encryption_key(settings, store)
    key_file = tmp_path / "gatepass.db.kek"
    assert mode(key_file) == 0o600
    assert key_file.read_text().strip() == first
    assert len(first) == 43  # 32 random bytes, base64url, as `gatepass secret generate`
    created = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [str(key_file) in r.getMessage() for r in created] == [True]
    assert await key_encryption_key(settings, store) == first
    assert sum(str(key_file) in r.getMessage() for r in caplog.records) == 3  # + 2 INFO


async def test_workers_starting_together_share_one_key_file(tmp_path: Path) -> None:
    settings = Settings(key_encryption_key_file=str(tmp_path / "shared.kek"))
    keys = await asyncio.gather(*(key_encryption_key(settings, MemoryStore()) for _ in range(8)))
    assert len(set(keys)) == 1
    assert os.listdir(tmp_path) == ["shared.kek"]  # no temporary file left


async def test_a_key_file_open_to_others_is_tightened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "k"
    key_file.write_text(secrets.token_urlsafe(32))
    key_file.chmod(0o644)
    await key_encryption_key(Settings(key_encryption_key_file=str(key_file)), MemoryStore())
    assert mode(key_file) == 0o600
    assert any("mode 644" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("content", ["", "short", "a" * 64])
async def test_a_weak_or_empty_key_file_is_refused(tmp_path: Path, content: str) -> None:
    key_file = tmp_path / "k"
    key_file.write_text(content)
    with pytest.raises(ConfigError, match=r"The key file .* (must be|looks)"):
        await key_encryption_key(Settings(key_encryption_key_file=str(key_file)), MemoryStore())


async def test_an_unreadable_key_file_is_a_config_error(tmp_path: Path) -> None:
    settings = Settings(key_encryption_key_file=str(tmp_path / "missing-dir" / "k"))
    with pytest.raises(ConfigError, match="cannot be used"):
        await key_encryption_key(settings, MemoryStore())


async def test_production_refuses_to_start_without_a_key_encryption_key() -> None:
    with pytest.raises(ConfigError, match="GATEPASS_KEY_ENCRYPTION_KEY must be set in production"):
        await key_encryption_key(Settings(env="production"), MemoryStore())
    kek = Secret(secrets.token_urlsafe(32))
    assert (
        await key_encryption_key(Settings(env="production", key_encryption_key=kek), MemoryStore())
        == kek.get()
    )


async def test_production_never_makes_a_key_file_but_reads_one(tmp_path: Path) -> None:
    key_file = tmp_path / "provisioned.kek"
    settings = Settings(env="production", key_encryption_key_file=str(key_file))
    with pytest.raises(ConfigError, match="does not exist"):
        await key_encryption_key(settings, MemoryStore())
    assert not key_file.exists()
    key_file.write_text(secrets.token_urlsafe(32) + "\n")
    key_file.chmod(0o600)
    assert await key_encryption_key(settings, MemoryStore()) == key_file.read_text().strip()


async def test_a_memory_store_gets_one_key_for_the_process_and_no_file(tmp_path: Path) -> None:
    first = await key_encryption_key(Settings(), MemoryStore())
    assert await key_encryption_key(Settings(), MemoryStore()) == first
    assert os.listdir(tmp_path) == []  # the working directory (tests/conftest.py)


async def test_no_key_file_is_made_for_keys_sealed_with_another_key(
    sqlite: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = sqlite
    _, record = new_signing_record(NOW, secrets.token_urlsafe(32))
    await store.add_signing_key(record)
    with pytest.raises(ConfigError, match=r"gatepass\.db\.kek does not exist"):
        await key_encryption_key(settings, store)
    assert not (tmp_path / "gatepass.db.kek").exists()


async def test_a_wrong_key_is_a_clear_config_error_naming_its_source(tmp_path: Path) -> None:
    store = MemoryStore()
    _, record = new_signing_record(NOW, secrets.token_urlsafe(32))
    await store.add_signing_key(record)
    wrong = Settings(key_encryption_key=Secret(secrets.token_urlsafe(32)))
    with pytest.raises(ConfigError) as refused:
        await key_encryption_key(wrong, store)
    assert refused.value.message.startswith(
        "GATEPASS_KEY_ENCRYPTION_KEY does not open the stored signing keys"
    )
    assert wrong.key_encryption_key is not None
    assert wrong.key_encryption_key.get() not in refused.value.message
    key_file = tmp_path / "other.kek"
    key_file.write_text(secrets.token_urlsafe(32))
    with pytest.raises(ConfigError, match=f"the key file {key_file} does not open"):
        await key_encryption_key(Settings(key_encryption_key_file=str(key_file)), store)


async def test_plain_rows_are_sealed_without_losing_a_key(
    sqlite: tuple[Settings, Store], caplog: pytest.LogCaptureFixture
) -> None:
    settings, store = sqlite
    old_key, old = plain_record(NOW)
    await store.add_signing_key(old)
    await store.set_signing_key_status(old.kid, "retired")
    active_key, active = plain_record(NOW + 1)
    await store.add_signing_key(active)
    kek = await key_encryption_key(settings, store)
    rows = await store.list_signing_keys()
    assert [r.kid for r in rows] == [old.kid, active.kid]
    assert all(is_sealed(r.private_jwk) and '"d"' not in r.private_jwk for r in rows)
    for row, key in zip(rows, (old_key, active_key), strict=True):
        opened = Key.import_jwk(json.loads(open_private_jwk(row.private_jwk, kek, row.kid)))
        assert opened.export_jwk(private=True) == key.export_jwk(private=True)
    assert any("encrypted 2 signing key(s)" in r.getMessage() for r in caplog.records)
    # Idempotent: a second start seals nothing more and the key still opens them.
    caplog.clear()
    assert await key_encryption_key(settings, store) == kek
    assert await store.list_signing_keys() == rows
    assert not any("encrypted" in r.getMessage() for r in caplog.records)


class InterleavingStore(MemoryStore):
    """Lets every other task run after each read, so concurrent starts read the same rows."""

    async def list_signing_keys(
        self, *, statuses: Collection[KeyStatus] | None = None
    ) -> list[SigningKey]:
        records = await super().list_signing_keys(statuses=statuses)
        await asyncio.sleep(0)
        return records


async def test_servers_sealing_one_plain_row_at_once_with_one_key_both_start() -> None:
    store = InterleavingStore()
    _, record = plain_record()
    await store.add_signing_key(record)
    settings = Settings(key_encryption_key=Secret(secrets.token_urlsafe(32)))
    keys = await asyncio.gather(*(key_encryption_key(settings, store) for _ in range(2)))
    (row,) = await store.list_signing_keys()
    assert open_private_jwk(row.private_jwk, keys[0], row.kid) == record.private_jwk


async def test_servers_sealing_one_plain_row_with_different_keys_one_is_refused() -> None:
    store = InterleavingStore()
    _, record = plain_record()
    await store.add_signing_key(record)
    a, b = (Settings(key_encryption_key=Secret(secrets.token_urlsafe(32))) for _ in range(2))
    results = await asyncio.gather(
        key_encryption_key(a, store), key_encryption_key(b, store), return_exceptions=True
    )
    # Both read the plain row; the one whose compare-and-set lost re-reads and is refused.
    (winner,) = [r for r in results if isinstance(r, str)]
    (refused,) = [r for r in results if isinstance(r, ConfigError)]
    assert "does not open the stored signing keys" in refused.message
    (row,) = await store.list_signing_keys()
    assert open_private_jwk(row.private_jwk, winner, row.kid) == record.private_jwk
