"""Compact JWE (RFC 7516): encrypted tokens, strict and safe by default.

``encrypt`` and ``decrypt`` are the whole API; ``nested`` adds sign-then-encrypt
and decrypt-then-verify. Decryption and verification are separate calls: a JWS
given to ``decrypt`` is refused as malformed, and ``jws.verify`` refuses a JWE.
``RSA1_5`` is not offered; PBES2 and ``zip`` are refused unless enabled by name.
"""

from gatepass.jose.jwe import nested
from gatepass.jose.jwe.content import ENCRYPTIONS
from gatepass.jose.jwe.keymgmt import (
    DEFAULT_P2C,
    KEY_ALGORITHMS,
    PBES2_ALGORITHMS,
    generate_key,
)
from gatepass.jose.jwe.operations import DEFAULT_MAX_DECOMPRESSED, decrypt, encrypt

__all__ = [
    "DEFAULT_MAX_DECOMPRESSED",
    "DEFAULT_P2C",
    "ENCRYPTIONS",
    "KEY_ALGORITHMS",
    "PBES2_ALGORITHMS",
    "decrypt",
    "encrypt",
    "generate_key",
    "nested",
]
