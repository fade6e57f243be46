"""Keys for every JWE algorithm, and a forger for tokens with hand-made headers."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from gatepass.jose import Key
from gatepass.jose._b64 import b64encode
from gatepass.jose.jwe import ENCRYPTIONS, generate_key
from gatepass.jose.jwe.compact import join
from gatepass.jose.jwe.content import encrypt as content_encrypt

#: (alg, crv) pairs covering every key management family and every ECDH curve.
KEY_CASES: tuple[tuple[str, str | None], ...] = (
    ("dir", None),
    ("A128KW", None),
    ("A256KW", None),
    ("A128GCMKW", None),
    ("A256GCMKW", None),
    ("RSA-OAEP", None),
    ("RSA-OAEP-256", None),
    ("ECDH-ES", "P-256"),
    ("ECDH-ES", "P-384"),
    ("ECDH-ES", "P-521"),
    ("ECDH-ES", "X25519"),
    ("ECDH-ES+A128KW", "P-256"),
    ("ECDH-ES+A256KW", "X25519"),
)


@cache
def key_for(alg: str, crv: str | None = None, enc: str = "A256GCM") -> Key:
    """One private key per (alg, crv[, enc for dir]), made once per test session."""
    if alg == "dir":
        return generate_key(alg, enc=enc)
    return generate_key(alg, crv=crv or "P-256")


def sender_key(key: Key) -> Key:
    """What the sender holds: the public half, or the secret itself."""
    return key if key.kty == "oct" else key.public_key()


def forge(header: dict[str, Any] | bytes, cek: bytes, plaintext: bytes = b"x") -> str:
    """A ``dir`` token with an arbitrary protected header, correctly encrypted.

    Lets a test show that a header is refused for what it says, not because the
    tag failed.
    """
    raw = header if isinstance(header, bytes) else _dumps(header)
    protected = b64encode(raw)
    enc = ENCRYPTIONS["A256GCM" if len(cek) == 32 else "A128GCM"]
    iv, ciphertext, tag = content_encrypt(enc, cek, plaintext, protected.encode("ascii"))
    return join(protected, b"", iv, ciphertext, tag)


def _dumps(header: dict[str, Any]) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode("utf-8")
