"""JWK members (RFC 7517, RFC 7638): a JWK read into key material, a key written as a JWK.

Reading validates as it goes: an RSA modulus is checked before a private key
is computed from it, an EC point must lie on its curve, and a private part must
match the public members it came with. Every failure is an
:class:`InvalidKeyError` that never echoes the material. ``Key.import_jwk``,
``Key.export_jwk`` and ``Key.thumbprint`` are the users of this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final

import orjson
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gatepass.errors import InvalidKeyError, MalformedTokenError
from gatepass.jose._b64 import b64decode, b64encode
from gatepass.jose._keymaterial import (
    EC_CURVES,
    OKP_PRIVATE,
    OKP_PUBLIC,
    Material,
    check_rsa_numbers,
    from_crypto_object,
)

__all__ = [
    "KNOWN_KTY",
    "Metadata",
    "export_members",
    "public_ops",
    "read_jwk",
    "thumbprint_of",
]

#: kid, alg, use and key_ops as a JWK gave them (each may be absent).
Metadata = tuple[str | None, str | None, str | None, list[str] | None]

# RFC 7638 §3.2: the required members of each key type, in lexicographic order.
_THUMBPRINT_MEMBERS: Final = {
    "oct": ("k", "kty"),
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}
#: The key types gatepass reads; a JWK Set member of another type is skipped.
KNOWN_KTY: Final = frozenset(_THUMBPRINT_MEMBERS)
# A public key's key_ops are the counterparts of its private key's.
_PUBLIC_OPS: Final = {"sign": "verify", "decrypt": "encrypt", "unwrapKey": "wrapKey"}


def read_jwk(jwk: Mapping[str, Any]) -> tuple[Material, Metadata]:
    """A JWK's key material and metadata; anything unusable raises InvalidKeyError."""
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("A JWK must be a JSON object")
    metadata = _metadata(jwk)
    try:
        return _material(jwk), metadata
    except (ValueError, TypeError, UnsupportedAlgorithm, MalformedTokenError):
        raise InvalidKeyError("The JWK's key material is invalid") from None


def public_ops(ops: Iterable[str]) -> set[str]:
    """The key_ops of the public half of a key with ``ops``."""
    return {_PUBLIC_OPS.get(o, o) for o in ops}


def export_members(
    members: Mapping[str, str],
    *,
    kid: str,
    alg: str | None,
    use: str | None,
    key_ops: Iterable[str] | None,
) -> dict[str, Any]:
    """A JWK: the key's ``members`` followed by its metadata (absent ones left out)."""
    jwk: dict[str, Any] = dict(members)
    jwk["kid"] = kid
    if alg is not None:
        jwk["alg"] = alg
    if use is not None:
        jwk["use"] = use
    if key_ops is not None:
        jwk["key_ops"] = sorted(key_ops)
    return jwk


def thumbprint_of(kty: str, members: Mapping[str, str], hash_name: str = "sha256") -> str:
    """The RFC 7638 thumbprint (base64url) of a key of type ``kty`` with ``members``."""
    required = {m: members[m] for m in _THUMBPRINT_MEMBERS[kty]}
    canonical = orjson.dumps(required, option=orjson.OPT_SORT_KEYS)
    return b64encode(hashlib.new(hash_name, canonical).digest())


# -- reading ---------------------------------------------------------------------


def _metadata(jwk: Mapping[str, Any]) -> Metadata:
    kid, alg, use, ops = (jwk.get(m) for m in ("kid", "alg", "use", "key_ops"))
    for value in (kid, alg, use):
        if value is not None and not isinstance(value, str):
            raise InvalidKeyError("JWK kid, alg and use must be strings")
    if ops is not None and (
        not isinstance(ops, list)
        or not all(isinstance(o, str) for o in ops)
        or len(set(ops)) != len(ops)
    ):
        raise InvalidKeyError("JWK key_ops must be a list of distinct strings")
    return kid, alg, use, ops


def _material(jwk: Mapping[str, Any]) -> Material:
    kty = jwk.get("kty")
    if kty == "oct":
        return Material.oct(_b64_member(jwk, "k"))
    if kty == "RSA":
        return _rsa(jwk)
    if kty == "EC":
        return _ec(jwk)
    if kty == "OKP":
        return _okp(jwk)
    raise InvalidKeyError("Unsupported key type")


def _b64_member(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKeyError("The JWK lacks a required member")
    return b64decode(value)


def _int_member(jwk: Mapping[str, Any], name: str) -> int:
    return int.from_bytes(_b64_member(jwk, name), "big")


def _rsa(jwk: Mapping[str, Any]) -> Material:
    if "oth" in jwk:
        raise InvalidKeyError("Multi-prime RSA keys are not supported")
    public = rsa.RSAPublicNumbers(_int_member(jwk, "e"), _int_member(jwk, "n"))
    check_rsa_numbers(public)
    if "d" not in jwk:
        return from_crypto_object(public.public_key())
    p, q, d = (_int_member(jwk, m) for m in ("p", "q", "d"))
    dp, dq, qi = (_int_member(jwk, m) for m in ("dp", "dq", "qi"))
    return from_crypto_object(rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key())


def _ec(jwk: Mapping[str, Any]) -> Material:
    curve_cls, size = EC_CURVES.get(jwk.get("crv"), (None, 0))  # type: ignore[arg-type]
    if curve_cls is None:
        raise InvalidKeyError("Unsupported elliptic curve")
    x, y = _b64_member(jwk, "x"), _b64_member(jwk, "y")
    if len(x) != size or len(y) != size:
        raise InvalidKeyError("EC coordinates have the wrong length")
    pub_nums = ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve_cls()
    )
    pub = pub_nums.public_key()  # raises ValueError for a point off the curve
    if "d" not in jwk:
        return from_crypto_object(pub)
    scalar = _b64_member(jwk, "d")
    if len(scalar) != size:
        raise InvalidKeyError("EC private scalar has the wrong length")
    priv = ec.derive_private_key(int.from_bytes(scalar, "big"), curve_cls())
    if priv.public_key().public_numbers() != pub_nums:
        raise InvalidKeyError("EC private and public parts do not match")
    return from_crypto_object(priv)


def _okp(jwk: Mapping[str, Any]) -> Material:
    crv = jwk.get("crv")
    if not isinstance(crv, str) or crv not in OKP_PUBLIC:
        raise InvalidKeyError("Unsupported OKP curve")
    pub_cls, size = OKP_PUBLIC[crv]
    x = _b64_member(jwk, "x")
    if len(x) != size:
        raise InvalidKeyError("OKP public key has the wrong length")
    if "d" not in jwk:
        return from_crypto_object(pub_cls.from_public_bytes(x))
    private = _b64_member(jwk, "d")
    if len(private) != OKP_PRIVATE[crv][1]:
        raise InvalidKeyError("OKP private key has the wrong length")
    material = from_crypto_object(OKP_PRIVATE[crv][0].from_private_bytes(private))
    if material.public_members["x"] != jwk["x"]:
        raise InvalidKeyError("OKP private and public parts do not match")
    return material
