"""The Authenticator's options, read: where the keys come from, the allow-list, the decryption key.

Keys come from a fixed ``Key``/``KeySet`` (a shared HS256 secret becomes one)
or from a ``JWKSClient``; either is a ``KeySource`` for the one verifier,
``gatepass.tokens.verify.AccessVerifier``, which does the rest (the unknown
``kid`` retry, JWS versus JWE, the cache, revocation).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

import orjson

from gatepass.errors import ConfigError
from gatepass.jose import Key, KeySet
from gatepass.jose.algorithms import algorithms_for_key
from gatepass.jose.jwe import KEY_ALGORITHMS
from gatepass.protect.jwks import JWKSClient
from gatepass.secret import check_secret_strength
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.verify import KeySource, StaticKeys

__all__ = ["ASYMMETRIC_ALGORITHMS", "decryption_of", "key_source"]

#: The allow-list for keys from a JWKS: public-key algorithms only, never HMAC.
ASYMMETRIC_ALGORITHMS: Final = (
    "EdDSA",
    "Ed25519",
    "ES256",
    "ES384",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
    "RS256",
    "RS384",
    "RS512",
)


def decryption_of(key: AccessTokenEncryption | Key | str | None) -> AccessTokenEncryption | None:
    """``decryption_key=`` as an ``AccessTokenEncryption`` (a JWK text, a Key, or one)."""
    if key is None or isinstance(key, AccessTokenEncryption):
        return key
    if isinstance(key, str):
        return AccessTokenEncryption.from_jwk_text(key)
    jwk = key.export_jwk(private=True)
    if jwk.get("alg") not in KEY_ALGORITHMS:  # a signature alg (Key.generate) says nothing here
        jwk.pop("alg", None)
    if jwk.get("use") == "sig":
        jwk.pop("use")
    return AccessTokenEncryption.from_jwk_text(orjson.dumps(jwk).decode())


def key_source(
    jwks_url: str | None,
    jwks_client: JWKSClient | None,
    keys: Key | KeySet | None,
    secret: str | None,
    algorithms: Collection[str] | None,
) -> tuple[KeySource, tuple[str, ...], JWKSClient | None]:
    """The key source, its allow-list, and the JWKS client to close (if any)."""
    given = [x for x in (jwks_url, jwks_client, keys, secret) if x is not None]
    if len(given) != 1:
        raise ConfigError("Give exactly one of jwks_url, jwks_client, keys or secret")
    if secret is not None:
        check_secret_strength(secret, "The shared secret")
        # One key without a kid of its own: a token's kid is then not a lookup
        # (any issuer names its one secret as it likes), as `gatepass token verify
        # --secret-env` does.
        key = Key.from_secret(secret, alg="HS256")
        return StaticKeys(key), tuple(algorithms or ("HS256",)), None
    if keys is not None:
        derived = sorted(
            {a for k in ([keys] if isinstance(keys, Key) else keys) for a in algorithms_for_key(k)}
        )
        return StaticKeys(keys), tuple(algorithms or derived), None
    client = jwks_client or JWKSClient(jwks_url)  # type: ignore[arg-type]
    allowed = tuple(algorithms or ASYMMETRIC_ALGORITHMS)
    if any(a.startswith("HS") for a in allowed):
        raise ConfigError("HMAC algorithms cannot be used with keys from a JWKS")
    return client, allowed, client
