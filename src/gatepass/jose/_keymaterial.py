"""Raw key material: what a ``cryptography`` key object is, in JWK members."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519

from gatepass.errors import InvalidKeyError
from gatepass.jose._b64 import b64encode

__all__ = [
    "EC_CURVES",
    "MAX_RSA_BITS",
    "MIN_RSA_BITS",
    "OKP_PRIVATE",
    "OKP_PUBLIC",
    "AnyKey",
    "Material",
    "check_rsa_numbers",
    "from_crypto_object",
    "has_roca_fingerprint",
    "looks_like_public_key_text",
]

AnyKey = (
    rsa.RSAPrivateKey
    | rsa.RSAPublicKey
    | ec.EllipticCurvePrivateKey
    | ec.EllipticCurvePublicKey
    | ed25519.Ed25519PrivateKey
    | ed25519.Ed25519PublicKey
    | ed448.Ed448PrivateKey
    | ed448.Ed448PublicKey
    | x25519.X25519PrivateKey
    | x25519.X25519PublicKey
    | x448.X448PrivateKey
    | x448.X448PublicKey
)

EC_CURVES: Final[Mapping[str, tuple[type[ec.EllipticCurve], int]]] = MappingProxyType(
    {"P-256": (ec.SECP256R1, 32), "P-384": (ec.SECP384R1, 48), "P-521": (ec.SECP521R1, 66)}
)
_EC_NAMES: Final = MappingProxyType(
    {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
)
OKP_PUBLIC: Final[Mapping[str, tuple[Any, int]]] = MappingProxyType(
    {
        "Ed25519": (ed25519.Ed25519PublicKey, 32),
        "Ed448": (ed448.Ed448PublicKey, 57),
        "X25519": (x25519.X25519PublicKey, 32),
        "X448": (x448.X448PublicKey, 56),
    }
)
OKP_PRIVATE: Final[Mapping[str, tuple[Any, int]]] = MappingProxyType(
    {
        "Ed25519": (ed25519.Ed25519PrivateKey, 32),
        "Ed448": (ed448.Ed448PrivateKey, 57),
        "X25519": (x25519.X25519PrivateKey, 32),
        "X448": (x448.X448PrivateKey, 56),
    }
)

# Public-key text that must never be accepted as an HMAC secret (the
# CVE-2017-11424 / CVE-2022-29217 algorithm-confusion class).
_PUBLIC_KEY_TEXT = re.compile(
    rb"^\s*(-----BEGIN [A-Z0-9 ]+-----|(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|"
    rb"sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) |\{.*\"kty\"|---- BEGIN SSH2)",
    re.DOTALL,
)


# The ROCA fingerprint (CVE-2017-15361, Nemec et al., CCS 2017): moduli made by
# the flawed Infineon generator are, modulo each of these small primes, a power
# of 65537. A random modulus passes all of them with negligible probability.
_ROCA_PRIMES: Final = (
    3,
    5,
    7,
    11,
    13,
    17,
    19,
    23,
    29,
    31,
    37,
    41,
    43,
    47,
    53,
    59,
    61,
    67,
    71,
    73,
    79,
    83,
    89,
    97,
    101,
    103,
    107,
    109,
    113,
    127,
    131,
    137,
    139,
    149,
    151,
    157,
    163,
    167,
)


def _powers_of_65537(prime: int) -> frozenset[int]:
    powers, value = {1}, 65537 % prime
    while value not in powers:
        powers.add(value)
        value = value * 65537 % prime
    return frozenset(powers)


_ROCA_SUBGROUPS: Final = tuple((p, _powers_of_65537(p)) for p in _ROCA_PRIMES)


def has_roca_fingerprint(modulus: int) -> bool:
    """True for an RSA modulus from the ROCA-vulnerable generator (CVE-2017-15361)."""
    return all(modulus % p in subgroup for p, subgroup in _ROCA_SUBGROUPS)


MIN_RSA_BITS: Final = 2048
MAX_RSA_BITS: Final = 16384


def check_rsa_numbers(public: rsa.RSAPublicNumbers) -> None:
    """Refuse a short or oversized modulus, an unsafe exponent, or a ROCA modulus."""
    if public.n.bit_length() < MIN_RSA_BITS:
        raise InvalidKeyError("RSA keys must be at least 2048 bits")
    if public.n.bit_length() > MAX_RSA_BITS:  # OpenSSL's own limit; larger only costs time
        raise InvalidKeyError("RSA keys must be at most 16384 bits")
    if public.e < 3 or public.e % 2 == 0 or public.e.bit_length() > 64:
        raise InvalidKeyError("The RSA public exponent is unsafe")
    if has_roca_fingerprint(public.n):
        raise InvalidKeyError("The RSA key was made by a generator with a known flaw (ROCA)")


def looks_like_public_key_text(raw: bytes) -> bool:
    return _PUBLIC_KEY_TEXT.match(raw) is not None


def _int_b64(value: int, size: int | None = None) -> str:
    length = size if size is not None else max(1, (value.bit_length() + 7) // 8)
    return b64encode(value.to_bytes(length, "big"))


@dataclass(frozen=True, slots=True)
class Material:
    """Validated key material and its JWK members (public and private)."""

    kty: str
    size: int
    public_members: Mapping[str, str]
    private_members: Mapping[str, str] = field(default_factory=dict)
    crv: str | None = None
    secret: bytes | None = None
    crypto: AnyKey | None = None
    public_crypto: AnyKey | None = None

    @property
    def is_private(self) -> bool:
        return self.kty == "oct" or bool(self.private_members)

    @classmethod
    def oct(cls, secret: bytes) -> Material:
        if not secret:
            raise InvalidKeyError("The secret key is empty")
        return cls("oct", len(secret) * 8, {"kty": "oct"}, {"k": b64encode(secret)}, secret=secret)


def from_crypto_object(obj: object) -> Material:
    """Material from a ``cryptography`` key object; other objects raise InvalidKeyError."""
    if isinstance(obj, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return _rsa(obj)
    if isinstance(obj, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return _ec(obj)
    for crv, (cls, _size) in OKP_PRIVATE.items():
        if isinstance(obj, cls):
            public = obj.public_key()
            return Material(
                "OKP",
                _size * 8,
                {"kty": "OKP", "crv": crv, "x": b64encode(public.public_bytes_raw())},
                {"d": b64encode(obj.private_bytes_raw())},
                crv=crv,
                crypto=obj,
                public_crypto=public,
            )
    for crv, (cls, _size) in OKP_PUBLIC.items():
        if isinstance(obj, cls):
            members = {"kty": "OKP", "crv": crv, "x": b64encode(obj.public_bytes_raw())}
            return Material("OKP", _size * 8, members, crv=crv, crypto=obj, public_crypto=obj)
    raise InvalidKeyError("Unsupported key object")


def _rsa(obj: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> Material:
    public = obj.public_key() if isinstance(obj, rsa.RSAPrivateKey) else obj
    nums = public.public_numbers()
    members = {"kty": "RSA", "n": _int_b64(nums.n), "e": _int_b64(nums.e)}
    private: dict[str, str] = {}
    if isinstance(obj, rsa.RSAPrivateKey):
        p = obj.private_numbers()
        private = {
            "d": _int_b64(p.d),
            "p": _int_b64(p.p),
            "q": _int_b64(p.q),
            "dp": _int_b64(p.dmp1),
            "dq": _int_b64(p.dmq1),
            "qi": _int_b64(p.iqmp),
        }
    return Material("RSA", public.key_size, members, private, crypto=obj, public_crypto=public)


def _ec(obj: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> Material:
    crv = _EC_NAMES.get(obj.curve.name)
    if crv is None:
        raise InvalidKeyError("Unsupported elliptic curve")
    size = EC_CURVES[crv][1]
    public = obj.public_key() if isinstance(obj, ec.EllipticCurvePrivateKey) else obj
    nums = public.public_numbers()
    members = {"kty": "EC", "crv": crv, "x": _int_b64(nums.x, size), "y": _int_b64(nums.y, size)}
    private: dict[str, str] = {}
    if isinstance(obj, ec.EllipticCurvePrivateKey):
        private = {"d": _int_b64(obj.private_numbers().private_value, size)}
    return Material(
        "EC", obj.curve.key_size, members, private, crv=crv, crypto=obj, public_crypto=public
    )
