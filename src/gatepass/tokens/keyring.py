"""The signing keyring: which key signs, which keys verify, and how keys rest.

- With ``GATEPASS_JWT_SECRET`` set, access tokens are HS256 with that secret
  (the classic guide's setup); there is then no public JWKS.
- Otherwise a key for ``GATEPASS_SIGNING_ALG`` (ES256 unless set) is generated
  at first start and kept in the store. Rotating makes the active key
  ``retiring``: it stays in the JWKS (and keeps verifying) until the last token
  it signed has expired, then it is retired. Keys of different algorithms can
  be live together (a rotation from EdDSA to ES256): each key names its
  ``alg`` and verifies only with it.
- Private JWKs are always sealed at rest: AES-256-GCM under a key derived
  (HKDF-SHA256) from the key-encryption key, the ``kid`` as associated data
  so a sealed key cannot be moved to another row (``enc:v1:`` prefix). Where
  the key-encryption key comes from is ``gatepass.kek``. Rows written before
  sealing was the default hold the plain JWK; they are read as they are until
  ``gatepass.kek`` seals them.

Pure: turning records into keys and back; the server does the store I/O.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gatepass.errors import ConfigError
from gatepass.jose import Key, KeySet
from gatepass.store.records import SigningKey

__all__ = [
    "DEFAULT_SIGNING_ALG",
    "SIGNING_ALGORITHMS",
    "Keyring",
    "is_sealed",
    "new_signing_record",
    "open_private_jwk",
    "seal_private_jwk",
    "usable_records",
]

#: The algorithms a gatepass server may sign access tokens with (docs/interop.md
#: says which verifier accepts which). ES256 is the default: every mainstream
#: verifier accepts it, including jsonwebtoken + jwks-rsa and python-jose, which
#: have no EdDSA, and its signatures are a quarter the size of RS256's.
SIGNING_ALGORITHMS = ("ES256", "RS256", "PS256", "EdDSA")
DEFAULT_SIGNING_ALG = "ES256"

_SEALED_PREFIX = "enc:v1:"
_KEK_INFO = b"gatepass signing-key encryption v1"


def _aead(key_encryption_key: str) -> AESGCM:
    raw = HKDF(hashes.SHA256(), 32, salt=None, info=_KEK_INFO).derive(
        key_encryption_key.encode("utf-8")
    )
    return AESGCM(raw)


def is_sealed(stored: str) -> bool:
    """Whether a stored private JWK is sealed (else a plain JWK from before sealing)."""
    return stored.startswith(_SEALED_PREFIX)


def seal_private_jwk(jwk_json: str, key_encryption_key: str, kid: str) -> str:
    """The private JWK as stored: sealed, bound to ``kid``."""
    nonce = os.urandom(12)
    sealed = _aead(key_encryption_key).encrypt(nonce, jwk_json.encode(), kid.encode())
    return _SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def open_private_jwk(stored: str, key_encryption_key: str | None, kid: str) -> str:
    """Undo ``seal_private_jwk``; a missing or wrong key-encryption key is a ConfigError."""
    if not is_sealed(stored):
        return stored
    if key_encryption_key is None:
        raise ConfigError(
            "Signing keys are encrypted at rest but GATEPASS_KEY_ENCRYPTION_KEY is not set"
        )
    try:
        blob = base64.urlsafe_b64decode(stored[len(_SEALED_PREFIX) :])
        plain = _aead(key_encryption_key).decrypt(blob[:12], blob[12:], kid.encode())
    except (InvalidTag, ValueError):  # ValueError: not base64, or shorter than a nonce
        raise ConfigError(
            "GATEPASS_KEY_ENCRYPTION_KEY does not open the stored signing keys"
        ) from None
    return plain.decode("utf-8")


def new_signing_record(
    now: float, key_encryption_key: str, alg: str = DEFAULT_SIGNING_ALG
) -> tuple[Key, SigningKey]:
    """A fresh signing key for ``alg`` (one of ``SIGNING_ALGORITHMS``) and its sealed record."""
    if alg not in SIGNING_ALGORITHMS:
        raise ConfigError(f"The signing algorithm must be one of: {', '.join(SIGNING_ALGORITHMS)}")
    key = Key.generate(alg)
    private = seal_private_jwk(
        json.dumps(key.export_jwk(private=True)), key_encryption_key, key.kid
    )
    record = SigningKey(
        kid=key.kid,
        alg=alg,
        private_jwk=private,
        public_jwk=json.dumps(key.export_jwk()),
        status="active",
        created_at=now,
    )
    return key, record


def usable_records(records: Iterable[SigningKey], now: float) -> list[SigningKey]:
    """The keys that verify at ``now``: every active key, and retiring keys before their
    ``retire_at`` (the rule the keyring, the server's key sync and ``gatepass keys jwks`` share)."""
    return [
        r
        for r in records
        if r.status == "active"
        or (r.status == "retiring" and (r.retire_at is None or r.retire_at > now))
    ]


@dataclass(frozen=True, slots=True)
class Keyring:
    """The active signing key and every key that may still verify."""

    active: Key
    verifying: KeySet
    algorithms: tuple[str, ...]
    public_jwks: dict[str, Any]

    @classmethod
    def from_secret(cls, secret: str) -> Keyring:
        key = Key.from_secret(secret, alg="HS256", kid="hs256")
        return cls(key, KeySet([key]), ("HS256",), {"keys": []})

    @classmethod
    def from_records(
        cls, records: Iterable[SigningKey], key_encryption_key: str | None, now: float
    ) -> Keyring:
        """Active key plus retiring keys still inside their verification window."""
        usable = usable_records(records, now)
        active = [r for r in usable if r.status == "active"]
        if len(active) != 1:
            raise ConfigError("The keyring must hold exactly one active signing key")
        keys = {
            r.kid: Key.import_jwk(
                json.loads(open_private_jwk(r.private_jwk, key_encryption_key, r.kid))
            )
            for r in usable
        }
        public = KeySet(k.public_key() for k in keys.values())
        return cls(
            active=keys[active[0].kid],
            verifying=public,
            algorithms=tuple(sorted({k.alg or "EdDSA" for k in keys.values()})),
            public_jwks=public.export_jwks(),
        )
