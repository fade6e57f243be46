"""PBES2 key wrapping (RFC 7518 §4.8): a password, a salt and an iteration count.

Only reachable when the caller enables PBES2 by name. The iteration count is
capped before any key is chosen (CVE-2023-6681): one token's cost is bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from gatepass.jose._b64 import b64decode
from gatepass.jose.jwe.failure import UnwrapFailed

__all__ = ["DEFAULT_P2C", "HASHES", "MIN_P2C", "MIN_P2S_BYTES", "kek", "salt_and_count"]

#: RFC 7518 §4.8.1.2 recommends at least 1000 iterations; gatepass's default
#: cap (and the count it uses when encrypting) keeps one token's cost bounded.
MIN_P2C: Final = 1000
DEFAULT_P2C: Final = 16_384
MIN_P2S_BYTES: Final = 8

HASHES: Final[Mapping[str, type[hashes.HashAlgorithm]]] = MappingProxyType(
    {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
)


def kek(alg: str, hash_name: str, size: int, password: bytes, p2s: bytes, p2c: int) -> bytes:
    """The key-wrapping key: PBKDF2 over ``alg || 0x00 || p2s`` (RFC 7518 §4.8.1.1)."""
    salt = alg.encode("ascii") + b"\x00" + p2s
    return PBKDF2HMAC(HASHES[hash_name](), size, salt, p2c).derive(password)


def salt_and_count(header: Mapping[str, Any]) -> tuple[bytes, int]:
    """The recipient's ``p2s`` (decoded) and ``p2c``, or UnwrapFailed."""
    p2s = header.get("p2s")
    if not isinstance(p2s, str):
        raise UnwrapFailed
    salt = b64decode(p2s)
    if len(salt) < MIN_P2S_BYTES:
        raise UnwrapFailed
    p2c = header.get("p2c")
    if not isinstance(p2c, int) or isinstance(p2c, bool) or p2c < MIN_P2C:
        raise UnwrapFailed  # the caller's cap on p2c was checked before any key was chosen
    return salt, p2c
