"""The key-encryption key that seals the signing keys at rest, and where it comes from.

``key_encryption_key(settings, store)`` answers, in this order:

1. ``GATEPASS_KEY_ENCRYPTION_KEY`` (at least 32 random bytes, e.g. what
   ``gatepass secret generate`` prints).
2. ``GATEPASS_KEY_ENCRYPTION_KEY_FILE``: a file holding such a key, made on
   first use (never in production, where it must already exist).
3. In production, nothing else: the server refuses to start rather than make
   a key file that sits beside the database and may be copied with it.
4. A memory store keeps nothing at rest: a random key for the process's life.
5. The key file ``<database>.kek`` beside a SQLite database, ``./gatepass.kek``
   for PostgreSQL, made on first use.

A key file is one line, mode 0600, written to a temporary file and linked into
place, so processes starting together (``--workers``) all read one complete
key. None is made while the store already holds sealed keys: a new key could
not open them (the file was lost, or this process looks in another directory).

The key is then checked against every sealed key in the store (a wrong one is
a ``ConfigError`` at start, naming where the key came from), and the rows
written before sealing was the default are sealed with it, each by a
compare-and-set: of servers sealing one row at once, one result stays, and a
server whose key is not the one that won fails the check like a wrong key.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from pathlib import Path

from gatepass.errors import ConfigError
from gatepass.filemodes import OWNER_ONLY, restrict_to_owner
from gatepass.secret import check_secret_strength
from gatepass.settings import Settings
from gatepass.store.memory import MemoryStore
from gatepass.store.protocols import Store
from gatepass.store.records import SigningKey
from gatepass.tokens.keyring import is_sealed, open_private_jwk, seal_private_jwk

__all__ = [
    "KEY_FILE_SUFFIX",
    "POSTGRES_KEY_FILE",
    "configured_key",
    "key_encryption_key",
    "key_file_path",
    "wrong_key",
]

KEY_FILE_SUFFIX = ".kek"
POSTGRES_KEY_FILE = "gatepass.kek"
_KEY_BYTES = 32

log = logging.getLogger("gatepass.kek")
# For a memory store only: its keys die with the process, and so does this.
_PROCESS_KEY = secrets.token_urlsafe(_KEY_BYTES)


def key_file_path(settings: Settings) -> Path:
    """``GATEPASS_KEY_ENCRYPTION_KEY_FILE``, else beside the SQLite file, else ./gatepass.kek."""
    if settings.key_encryption_key_file:
        return Path(settings.key_encryption_key_file)
    if settings.database_url.startswith("sqlite"):
        from gatepass.store.sql.engine import async_url

        return Path(f"{async_url(settings.database_url).database}{KEY_FILE_SUFFIX}")
    return Path(POSTGRES_KEY_FILE)


async def key_encryption_key(settings: Settings, store: Store) -> str:
    """The key sealing ``store``'s signing keys; checked, and plain rows sealed with it."""
    records = await store.list_signing_keys()
    key, source = await configured_key(settings, store, records)
    _check_opens(records, key, source)
    if await _seal_plain(store, records, key):
        _check_opens(await store.list_signing_keys(), key, source)  # lost a race: whose key won?
    return key


async def configured_key(
    settings: Settings, store: Store, records: list[SigningKey]
) -> tuple[str, str]:
    """The key as configured and where it came from (for messages), not checked yet.

    ``records`` are the stored keys: no key file is made when one of them is sealed.
    """
    if settings.key_encryption_key is not None:
        return settings.key_encryption_key.get(), "GATEPASS_KEY_ENCRYPTION_KEY"
    if settings.key_encryption_key_file is None and settings.is_production:
        raise ConfigError(
            "GATEPASS_KEY_ENCRYPTION_KEY must be set in production (the signing keys are "
            "encrypted with it); generate one with `gatepass secret generate` and give every "
            "server the same value"
        )
    if settings.key_encryption_key_file is None and isinstance(store, MemoryStore):
        return _PROCESS_KEY, "the key of this process"
    path = key_file_path(settings)
    sealed = any(is_sealed(r.private_jwk) for r in records)
    create = not settings.is_production and not sealed
    return await asyncio.to_thread(_read_key_file, path, create), f"the key file {path}"


def wrong_key(source: str) -> ConfigError:
    """The error for a key-encryption key (from ``source``) that does not open a stored key."""
    return ConfigError(
        f"{source} does not open the stored signing keys: it is not the key they "
        "were encrypted with (every server and the CLI need the same one)"
    )


def _check_opens(records: list[SigningKey], key: str, source: str) -> None:
    for record in records:
        try:
            open_private_jwk(record.private_jwk, key, record.kid)
        except ConfigError:
            raise wrong_key(source) from None


async def _seal_plain(store: Store, records: list[SigningKey], key: str) -> bool:
    """Seal the rows stored in plain text; True when another writer got to one first."""
    plain = [r for r in records if not is_sealed(r.private_jwk)]
    lost = False
    for record in plain:
        sealed = seal_private_jwk(record.private_jwk, key, record.kid)
        replaced = await store.replace_private_jwk(
            record.kid, expected=record.private_jwk, private_jwk=sealed
        )
        lost = lost or not replaced
    if plain:
        log.warning("encrypted %d signing key(s) that were stored in plain text", len(plain))
    return lost


def _read_key_file(path: Path, create: bool) -> str:
    try:
        if not path.exists():
            if not create:
                raise ConfigError(
                    f"The key file {path} does not exist, and the signing keys cannot be opened "
                    "without it: restore it, or set GATEPASS_KEY_ENCRYPTION_KEY to the key they "
                    "were encrypted with"
                )
            _create_key_file(path)
        restrict_to_owner(path)
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ConfigError(f"The key file {path} cannot be used: {reason}") from None
    check_secret_strength(key, f"The key file {path}")
    log.info("signing keys are encrypted with the key in %s", path)
    return key


def _create_key_file(path: Path) -> None:
    """Write a fresh key to ``path`` unless another process does it first."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(_KEY_BYTES) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)  # atomic, and fails if the file appeared meanwhile
        except FileExistsError:
            return
    finally:
        temporary.unlink(missing_ok=True)
    log.warning(
        "created the key file %s (mode 0600) that encrypts the signing keys: keep a copy, "
        "apart from the database's backups; in production set GATEPASS_KEY_ENCRYPTION_KEY",
        path,
    )
