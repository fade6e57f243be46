"""ECDH-ES key agreement (RFC 7518 §4.6): the ephemeral key, Z, and Concat KDF.

The recipient's side refuses an ephemeral key that is off its curve or on
another curve than the recipient's own (the invalid-curve attack, RFC 8725
§3.4), and an all-zero X25519 output (a small-order point).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final, cast

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from gatepass.jose._b64 import b64decode, b64encode
from gatepass.jose.jwe.failure import UnwrapFailed
from gatepass.jose.keys import Key

__all__ = ["ECDH_CURVES", "EC_CURVES", "derive", "ephemeral", "peer_z"]

_SHA256: Final = hashes.SHA256()
_ECDH: Final = ec.ECDH()
#: The NIST curves ECDH-ES takes, with their coordinate size in bytes.
EC_CURVES: Final[Mapping[str, tuple[ec.EllipticCurve, int]]] = MappingProxyType(
    {"P-256": (ec.SECP256R1(), 32), "P-384": (ec.SECP384R1(), 48), "P-521": (ec.SECP521R1(), 66)}
)
ECDH_CURVES: Final = frozenset({*EC_CURVES, "X25519"})


@lru_cache(maxsize=256)
def _other_info(alg_id: str, bits: int, apu: bytes, apv: bytes) -> bytes:
    """RFC 7518 §4.6.2 OtherInfo: AlgorithmID, PartyUInfo, PartyVInfo, SuppPubInfo."""

    def field(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data

    return field(alg_id.encode("ascii")) + field(apu) + field(apv) + bits.to_bytes(4, "big")


def _party_info(header: Mapping[str, Any], name: str) -> bytes:
    if name not in header:
        return b""
    value = header[name]
    if not isinstance(value, str):
        raise UnwrapFailed
    return b64decode(value)


def derive(z: bytes, alg_id: str, size: int, header: Mapping[str, Any]) -> bytes:
    """``size`` bytes from Z by Concat KDF, for ``alg_id`` and the header's apu/apv."""
    if not z.strip(b"\x00"):  # an all-zero X25519 output: a small-order ephemeral key
        raise UnwrapFailed
    apu, apv = _party_info(header, "apu"), _party_info(header, "apv")
    bits = size * 8
    return ConcatKDFHash(_SHA256, size, _other_info(alg_id, bits, apu, apv)).derive(z)


def ephemeral(key: Key) -> tuple[bytes, dict[str, str]]:
    """A fresh ephemeral key on the recipient's curve: ``(Z, epk)``."""
    public = key.public_crypto
    if key.crv == "X25519":
        assert isinstance(public, x25519.X25519PublicKey)
        eph = x25519.X25519PrivateKey.generate()
        raw = eph.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return eph.exchange(public), {"kty": "OKP", "crv": "X25519", "x": b64encode(raw)}
    assert key.crv is not None
    curve, size = EC_CURVES[key.crv]
    eph_ec = ec.generate_private_key(curve)
    point = eph_ec.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    epk = {
        "kty": "EC",
        "crv": key.crv,
        "x": b64encode(point[1 : 1 + size]),
        "y": b64encode(point[1 + size :]),
    }
    return eph_ec.exchange(_ECDH, cast(ec.EllipticCurvePublicKey, public)), epk


def peer_z(key: Key, header: Mapping[str, Any]) -> bytes:
    """Z from the header's ``epk``, validated against the recipient's own curve."""
    epk = header.get("epk")
    if not isinstance(epk, Mapping) or epk.get("crv") != key.crv or "d" in epk:
        raise UnwrapFailed
    x = epk.get("x")
    if not isinstance(x, str):
        raise UnwrapFailed
    private = key.crypto
    if isinstance(private, x25519.X25519PrivateKey):
        if epk.get("kty") != "OKP":
            raise UnwrapFailed
        raw = b64decode(x)
        if len(raw) != 32:
            raise UnwrapFailed
        return private.exchange(x25519.X25519PublicKey.from_public_bytes(raw))
    if not isinstance(private, ec.EllipticCurvePrivateKey) or epk.get("kty") != "EC":
        raise UnwrapFailed
    y = epk.get("y")
    if not isinstance(y, str) or key.crv is None:
        raise UnwrapFailed
    curve, size = EC_CURVES[key.crv]
    xb, yb = b64decode(x), b64decode(y)
    if len(xb) != size or len(yb) != size:
        raise UnwrapFailed
    # from_encoded_point refuses a point that is not on the curve (invalid-curve attack).
    peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + xb + yb)
    return private.exchange(_ECDH, peer)
