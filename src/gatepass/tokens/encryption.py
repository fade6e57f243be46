"""Encrypted access tokens: nested JWTs (sign, then encrypt) for one resource.

When ``GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY`` holds a JWK, every access token
is signed as usual and then encrypted to that key, so the claims (email, role,
session id) are readable only by the auth server and the resource servers that
hold the same key. The key management algorithm follows from the key type:

============================  ==================  =========
key                           ``alg``             ``enc``
============================  ==================  =========
``oct``, 256 bits             ``dir``             A256GCM
EC P-256/384/521, private     ``ECDH-ES+A256KW``  A256GCM
OKP X25519, private           ``ECDH-ES+A256KW``  A256GCM
RSA (2048 bits or more)       ``RSA-OAEP-256``    A256GCM
============================  ==================  =========

A JWK that names its own ``alg`` (one gatepass offers, never PBES2) keeps it.
The key must be able to decrypt (the auth server reads its own tokens), so a
public-only JWK is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatepass.errors import ConfigError, JoseError
from gatepass.jose import Key
from gatepass.jose._json import loads_object
from gatepass.jose.jwe import KEY_ALGORITHMS, PBES2_ALGORITHMS
from gatepass.jose.jwe.nested import sign_then_encrypt

__all__ = ["CONTENT_ENCRYPTION", "AccessTokenEncryption"]

CONTENT_ENCRYPTION = "A256GCM"
_VARIABLE = "GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY"
_DEFAULT_ALG = {
    "oct": "dir",
    "EC": "ECDH-ES+A256KW",
    "OKP": "ECDH-ES+A256KW",
    "RSA": "RSA-OAEP-256",
}


@dataclass(frozen=True, slots=True)
class AccessTokenEncryption:
    """The resource's key and the JWE algorithms derived from it."""

    key: Key
    alg: str
    enc: str = CONTENT_ENCRYPTION

    @classmethod
    def from_jwk_text(cls, text: str) -> AccessTokenEncryption:
        """Parse the setting's JWK; ConfigError names the variable, never the value."""
        try:
            key = Key.import_jwk(loads_object(text.encode("utf-8"), "The JWK"))
        except (JoseError, UnicodeError):
            raise ConfigError(f"{_VARIABLE} must be a JWK (a JSON object)") from None
        if key.kty == "oct":
            if key.secret is None or len(key.secret) != 32:
                raise ConfigError(f"{_VARIABLE}: an oct key must hold exactly 256 bits")
        elif not key.is_private:
            raise ConfigError(f"{_VARIABLE} must be a private key: the server decrypts its tokens")
        if key.kty == "OKP" and key.crv != "X25519":
            raise ConfigError(f"{_VARIABLE}: an OKP key must be an X25519 key")
        alg = key.alg or _DEFAULT_ALG[key.kty]
        if alg not in KEY_ALGORITHMS or alg in PBES2_ALGORITHMS:
            raise ConfigError(f"{_VARIABLE} names an algorithm gatepass does not offer here")
        return cls(key, alg)

    def seal(self, claims: dict[str, Any], signing_key: Key, typ: str) -> str:
        """Sign ``claims`` with ``signing_key``, then encrypt the JWS to the resource key."""
        return sign_then_encrypt(
            claims,
            signing_key,
            self.key,
            typ=typ,
            alg=self.alg,
            enc=self.enc,
        )
