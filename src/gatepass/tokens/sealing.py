"""``Sealer``: AES-256-GCM under a key derived (HKDF-SHA256) from the key-encryption key.

What the store must keep but a copy of the database alone must not reveal (a
queued mail's link, a TOTP secret) is sealed with the key-encryption key that
seals the signing keys (``gatepass.kek``). Each use has its own ``info`` (so
the derived keys differ) and binds a sealed value to its row with associated
data (so it cannot be moved to another row). A value sealed under another key
(or bound to another row) is a ``ConfigError`` when opened.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gatepass.errors import ConfigError

__all__ = ["Sealer"]

_NONCE_BYTES = 12


class Sealer:
    """Seal and open bytes under ``key_encryption_key``, for one ``info`` (purpose)."""

    def __init__(self, key_encryption_key: str, info: bytes) -> None:
        raw = HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(
            key_encryption_key.encode("utf-8")
        )
        self._aead = AESGCM(raw)

    def seal(self, plain: bytes, bound_to: bytes) -> bytes:
        """A fresh nonce and the ciphertext of ``plain``, bound to ``bound_to``."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, bound_to)

    def open(self, sealed: bytes, bound_to: bytes) -> bytes:
        """The plain bytes; ``ConfigError`` for a value sealed under another key or row."""
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, bound_to)
        except (InvalidTag, ValueError):
            raise ConfigError("the value was sealed under another key-encryption key") from None
