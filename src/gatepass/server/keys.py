"""The signing keys of the running server, kept in step with the database.

``SigningKeys.current`` is one immutable snapshot (keyring, CSRF tokens); a
request reads it once and uses that snapshot throughout. Every
``GATEPASS_KEY_SYNC`` seconds the active and retiring keys are re-read and,
when the usable set changed (a rotation by another server or by
``gatepass keys rotate``, or a retiring key reaching its ``retire_at``), a new
snapshot replaces the old one in a single assignment.

``SigningKeys`` is the ``KeySource`` of the server's ``AccessVerifier``
(``gatepass.tokens.verify``). A token signed with a key this server has not
loaded yet (another server rotated a moment ago) triggers one early re-read, at most every
``UNKNOWN_KID_COOLDOWN_S`` seconds, so forged ``kid`` values cannot make every
request read the database.

First start: the first key (for ``GATEPASS_SIGNING_ALG``) is created with
``add_first_signing_key``, which serialises servers starting together on an
empty database, so they end with one active key. While ``gatepass keys
rotate`` runs there are two active keys for a moment: the newest one signs and
the others keep verifying. A stored active key of another algorithm keeps
signing (a warning says so) until ``gatepass keys rotate`` replaces it:
servers never rotate by themselves, so two with different settings cannot
undo each other.

CSRF tokens are keyed from the first signing key ever stored (whatever its
status now), not from the active one: every server derives the same CSRF key
and a rotation does not invalidate the CSRF tokens of live cookie sessions.
That key's private half is random, stored once and never changes; deleting
its row would change the CSRF key once (cookie sessions then log in again).

The private keys are encrypted at rest with the key-encryption key, which
``load`` finds (and checks against the stored keys, sealing any stored in
plain text by an older version) with ``gatepass.kek``; sealing changes how a
row is stored, never the key, so the CSRF key survives it too.

With ``GATEPASS_JWT_SECRET`` the keyring is that one HS256 secret (and the
CSRF key is derived from it) and nothing is synchronised.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from gatepass.background import Periodic
from gatepass.clock import Clock, system_clock
from gatepass.jose import Key, KeySet
from gatepass.kek import key_encryption_key
from gatepass.server.cookies import CsrfTokens
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.store.records import KeyStatus, SigningKey
from gatepass.tokens.keyring import (
    Keyring,
    new_signing_record,
    open_private_jwk,
    usable_records,
)

__all__ = ["KeySnapshot", "SigningKeys"]

log = logging.getLogger("gatepass.server")

UNKNOWN_KID_COOLDOWN_S = 1.0
_LIVE: tuple[KeyStatus, ...] = ("active", "retiring")


@dataclass(frozen=True, slots=True)
class KeySnapshot:
    keyring: Keyring
    csrf: CsrfTokens
    # (kid, status, retire_at) of the keys it was built from, and the CSRF
    # anchor's kid; None in HS256 mode.
    source: frozenset[tuple[str, str, float | None]] | None
    csrf_kid: str | None = None


def _usable(records: Sequence[SigningKey], now: float) -> list[SigningKey]:
    """Active keys, and retiring ones before ``retire_at``; of several active
    keys (a rotation half done) the newest signs and the others only verify."""
    live = usable_records(records, now)
    active = [r for r in live if r.status == "active"]
    if len(active) <= 1:
        return live
    newest = max(active, key=lambda r: (r.created_at, r.kid))
    return [
        r if r.status != "active" or r is newest else dataclasses.replace(r, status="retiring")
        for r in live
    ]


class SigningKeys:
    """The holder of the current ``KeySnapshot``, and its sync loop."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._kek = ""  # set by load()
        self._sync = Periodic("key sync", settings.key_sync, self.refresh)
        self._lock = asyncio.Lock()
        self._last_early_refresh = 0.0
        self._current: KeySnapshot | None = None

    @property
    def current(self) -> KeySnapshot:
        if self._current is None:
            raise RuntimeError("SigningKeys.load() has not run")
        return self._current

    @property
    def key_encryption_key(self) -> str | None:
        """The key-encryption key the stored keys are sealed under (after ``load``);
        None with ``GATEPASS_JWT_SECRET``, which stores no keys."""
        return self._kek or None

    async def load(self) -> None:
        """Load (on an empty database: create) the keys, then start the sync loop."""
        if self._settings.jwt_secret is not None:
            self._current = self._snapshot(Keyring.from_secret(self._settings.jwt_secret.get()))
            return
        self._kek = await key_encryption_key(self._settings, self._store)
        records = await self._store.list_signing_keys(statuses=_LIVE)
        wanted = self._settings.signing_alg
        if not any(r.status == "active" for r in records):
            _, record = new_signing_record(self._clock(), self._kek, wanted)
            await self._store.add_first_signing_key(record)
        await self.refresh()
        if self.current.keyring.active.alg != wanted:
            log.warning(
                "the active signing key is %s, not GATEPASS_SIGNING_ALG=%s: "
                "run `gatepass keys rotate` to switch",
                self.current.keyring.active.alg,
                wanted,
            )
        self._sync.start()

    async def stop(self) -> None:
        await self._sync.stop()

    async def refresh(self) -> bool:
        """Re-read the keys; swap in a new snapshot if they changed. True when swapped."""
        if self._settings.jwt_secret is not None:
            return False
        async with self._lock:
            now = self._clock()
            records = await self._store.list_signing_keys()  # every status, oldest first
            usable = _usable([r for r in records if r.status in _LIVE], now)
            source = frozenset((r.kid, r.status, r.retire_at) for r in usable)
            current = self._current
            if current is not None and current.source == source:
                return False
            keyring = Keyring.from_records(usable, self._kek, now)
            anchor = records[0]
            if current is not None and current.csrf_kid == anchor.kid:
                csrf = current.csrf
            else:
                private = open_private_jwk(anchor.private_jwk, self._kek, anchor.kid)
                csrf = CsrfTokens(Key.import_jwk(json.loads(private)))
            self._current = self._snapshot(keyring, source, csrf, anchor.kid)
            return True

    # -- the KeySource of the server's AccessVerifier ------------------------------

    def loaded(self) -> KeySet:
        return self.current.keyring.verifying

    async def key_set(self) -> KeySet:
        return self.current.keyring.verifying

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None:
        if not await self.refresh_for_unknown_kid():
            return None
        return self.current.keyring.verifying

    async def refresh_for_unknown_kid(self) -> bool:
        """An early ``refresh`` for a token whose key is unknown, rate-limited."""
        now = time.monotonic()
        if self._settings.jwt_secret is not None:
            return False
        if now - self._last_early_refresh < UNKNOWN_KID_COOLDOWN_S:
            return False
        self._last_early_refresh = now
        try:
            return await self.refresh()
        except Exception:  # the database is down: the token is refused, the loop logs it
            return False

    def _snapshot(
        self,
        keyring: Keyring,
        source: frozenset[tuple[str, str, float | None]] | None = None,
        csrf: CsrfTokens | None = None,
        csrf_kid: str | None = None,
    ) -> KeySnapshot:
        return KeySnapshot(keyring, csrf or CsrfTokens(keyring.active), source, csrf_kid)
