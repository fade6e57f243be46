"""Key management (RFC 7518 §4): how the content encryption key reaches the recipient.

The table is data; ``RSA1_5`` is not in it (Bleichenbacher), and the PBES2
entries are only reachable when the caller enables them by name. The
ECDH-ES and PBES2 derivations live in ``ecdh`` and ``pbes2``. ``wrap`` runs
on the sender's side and adds its header members (``epk``, ``iv``/``tag``,
``p2s``/``p2c``); ``unwrap`` runs on the recipient's side and raises
:class:`DecryptionError` with one fixed message for every failure, including an
ephemeral key that is off its curve or on another curve than the recipient's
(RFC 8725 §3.4).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_wrap,
)

from gatepass.errors import (
    AlgorithmNotAllowedError,
    DecryptionError,
    InvalidKeyError,
    MalformedTokenError,
)
from gatepass.jose._b64 import b64decode, b64encode
from gatepass.jose.jwe import ecdh, pbes2
from gatepass.jose.jwe.content import ENCRYPTIONS, ContentAlgorithm, generate_cek
from gatepass.jose.jwe.ecdh import ECDH_CURVES
from gatepass.jose.jwe.failure import UnwrapFailed
from gatepass.jose.jwe.pbes2 import DEFAULT_P2C, MIN_P2C
from gatepass.jose.keys import Key

__all__ = [
    "DEFAULT_P2C",
    "ECDH_CURVES",
    "KEY_ALGORITHMS",
    "MIN_P2C",
    "PBES2_ALGORITHMS",
    "KeyAlgorithm",
    "check_key",
    "generate_key",
    "unwrap",
    "wrap",
]


@dataclass(frozen=True, slots=True)
class KeyAlgorithm:
    """One ``alg`` value of a JWE: its family, key type and key-wrapping key size."""

    name: str
    family: str  # "dir" | "AESKW" | "AESGCMKW" | "RSA-OAEP" | "ECDH-ES" | "PBES2"
    kek_bytes: int = 0  # the AES key-wrapping key; 0 when the CEK is not wrapped with AES
    hash_name: str | None = None  # RSA-OAEP and PBES2

    @property
    def ktys(self) -> frozenset[str]:
        """The key types this algorithm is bound to."""
        return _KTYS.get(self.family, _OCT)


_OCT: Final = frozenset({"oct"})
_KTYS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {"RSA-OAEP": frozenset({"RSA"}), "ECDH-ES": frozenset({"EC", "OKP"})}
)


KEY_ALGORITHMS: Final[Mapping[str, KeyAlgorithm]] = MappingProxyType(
    {
        a.name: a
        for a in (
            KeyAlgorithm("dir", "dir"),
            KeyAlgorithm("A128KW", "AESKW", 16),
            KeyAlgorithm("A256KW", "AESKW", 32),
            KeyAlgorithm("A128GCMKW", "AESGCMKW", 16),
            KeyAlgorithm("A256GCMKW", "AESGCMKW", 32),
            KeyAlgorithm("RSA-OAEP", "RSA-OAEP", hash_name="sha1"),
            KeyAlgorithm("RSA-OAEP-256", "RSA-OAEP", hash_name="sha256"),
            KeyAlgorithm("ECDH-ES", "ECDH-ES"),
            KeyAlgorithm("ECDH-ES+A128KW", "ECDH-ES", 16),
            KeyAlgorithm("ECDH-ES+A256KW", "ECDH-ES", 32),
            KeyAlgorithm("PBES2-HS256+A128KW", "PBES2", 16, "sha256"),
            KeyAlgorithm("PBES2-HS384+A192KW", "PBES2", 24, "sha384"),
            KeyAlgorithm("PBES2-HS512+A256KW", "PBES2", 32, "sha512"),
        )
    }
)
PBES2_ALGORITHMS: Final = frozenset(n for n, a in KEY_ALGORITHMS.items() if a.family == "PBES2")

_DECRYPT_OPS: Final = frozenset({"decrypt", "unwrapKey", "deriveKey", "deriveBits"})
_ENCRYPT_OPS: Final = frozenset({"encrypt", "wrapKey", "deriveKey", "deriveBits"})


# -- key checks ------------------------------------------------------------------


def check_key(spec: KeyAlgorithm, enc: ContentAlgorithm, key: Key, *, decrypting: bool) -> None:
    """Raise unless ``key`` may be used for ``spec`` (and ``enc``, for ``dir``)."""
    if (
        key.alg is not None
        and key.alg != spec.name
        and not (spec.family == "dir" and key.alg == enc.name)
    ):
        raise AlgorithmNotAllowedError("The algorithm does not match the key")
    if key.kty not in spec.ktys:
        raise AlgorithmNotAllowedError("The algorithm does not match the key type")
    if key.use is not None and key.use != "enc":
        raise InvalidKeyError("The key is not meant for encryption")
    if key.key_ops is not None and key.key_ops.isdisjoint(
        _DECRYPT_OPS if decrypting else _ENCRYPT_OPS
    ):
        raise InvalidKeyError("The key's key_ops do not allow this operation")
    if spec.family == "dir" and key.size != enc.key_bytes * 8:
        raise InvalidKeyError("The key's length does not match the content encryption")
    if spec.family in ("AESKW", "AESGCMKW") and key.size != spec.kek_bytes * 8:
        raise InvalidKeyError("The key's length does not match the key wrapping algorithm")
    if spec.family == "ECDH-ES" and key.crv not in ECDH_CURVES:
        raise InvalidKeyError("The key's curve is not usable for ECDH-ES")
    if decrypting and not key.is_private:
        raise InvalidKeyError("Decryption needs a private key")


def generate_key(
    alg: str,
    *,
    enc: str | None = None,
    crv: str = "P-256",
    rsa_bits: int = 2048,
    kid: str | None = None,
) -> Key:
    """A fresh encryption key (``use: enc``) bound to ``alg``.

    ``dir`` needs ``enc`` (the key is the CEK); ECDH-ES keys are on ``crv``
    (P-256, P-384, P-521 or X25519); PBES2 has no generated key (it is a password).
    """
    spec = KEY_ALGORITHMS.get(alg)
    if spec is None or spec.family == "PBES2":
        raise AlgorithmNotAllowedError("No key can be generated for this algorithm")
    if spec.family in ("dir", "AESKW", "AESGCMKW"):
        if spec.family == "dir":
            content = ENCRYPTIONS.get(enc or "")
            if content is None:
                raise AlgorithmNotAllowedError("dir needs a supported enc to size its key")
            size = content.key_bytes
        else:
            size = spec.kek_bytes
        jwk = {"kty": "oct", "k": b64encode(os.urandom(size)), "alg": alg, "use": "enc"}
        key = Key.import_jwk(jwk)
        return Key.import_jwk({**jwk, "kid": kid or key.kid})
    obj: object
    if spec.family == "RSA-OAEP":
        obj = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    elif crv == "X25519":
        obj = x25519.X25519PrivateKey.generate()
    elif crv in ecdh.EC_CURVES:
        obj = ec.generate_private_key(ecdh.EC_CURVES[crv][0])
    else:
        raise InvalidKeyError("Unsupported curve for ECDH-ES")
    key = Key.from_crypto(obj, alg=alg, use="enc")
    return Key.from_crypto(obj, alg=alg, use="enc", kid=kid or key.kid)


def _ecdh_derive(
    spec: KeyAlgorithm, enc: ContentAlgorithm, z: bytes, header: Mapping[str, Any]
) -> bytes:
    """The CEK (ECDH-ES) or the key-wrapping key (ECDH-ES+AxxxKW) from Z."""
    alg_id, size = (enc.name, enc.key_bytes) if not spec.kek_bytes else (spec.name, spec.kek_bytes)
    return ecdh.derive(z, alg_id, size, header)


def _pbes2_kek(spec: KeyAlgorithm, password: bytes, p2s: bytes, p2c: int) -> bytes:
    assert spec.hash_name is not None
    return pbes2.kek(spec.name, spec.hash_name, spec.kek_bytes, password, p2s, p2c)


def _oaep(spec: KeyAlgorithm) -> padding.OAEP:
    assert spec.hash_name is not None
    algorithm = pbes2.HASHES[spec.hash_name]()
    return padding.OAEP(padding.MGF1(algorithm), algorithm, None)


# -- the two directions ---------------------------------------------------------


def wrap(
    spec: KeyAlgorithm, enc: ContentAlgorithm, key: Key, header: dict[str, Any]
) -> tuple[bytes, bytes]:
    """Make the CEK for the sender: ``(cek, encrypted_key)``; adds header members."""
    family = spec.family
    if family == "dir":
        assert key.secret is not None
        return key.secret, b""
    if family == "ECDH-ES":
        try:
            z, header["epk"] = ecdh.ephemeral(key)
            derived = _ecdh_derive(spec, enc, z, header)
        except (UnwrapFailed, ValueError, MalformedTokenError):
            raise InvalidKeyError("ECDH-ES key agreement failed") from None
        if not spec.kek_bytes:
            return derived, b""
        cek = generate_cek(enc)
        return cek, aes_key_wrap(derived, cek)
    cek = generate_cek(enc)
    if family == "RSA-OAEP":
        public = key.public_crypto
        assert isinstance(public, rsa.RSAPublicKey)
        return cek, public.encrypt(cek, _oaep(spec))
    assert key.secret is not None
    if family == "AESKW":
        return cek, aes_key_wrap(key.secret, cek)
    if family == "AESGCMKW":
        iv = os.urandom(12)
        sealed = AESGCM(key.secret).encrypt(iv, cek, None)
        header["iv"], header["tag"] = b64encode(iv), b64encode(sealed[-16:])
        return cek, sealed[:-16]
    # PBES2
    p2s = os.urandom(16)
    p2c = header.setdefault("p2c", DEFAULT_P2C)
    header["p2s"] = b64encode(p2s)
    return cek, aes_key_wrap(_pbes2_kek(spec, key.secret, p2s, p2c), cek)


def unwrap(
    spec: KeyAlgorithm,
    enc: ContentAlgorithm,
    key: Key,
    header: Mapping[str, Any],
    encrypted_key: bytes,
) -> bytes:
    """Recover the CEK for the recipient; any failure raises DecryptionError."""
    try:
        cek = _unwrap(spec, enc, key, header, encrypted_key)
    except (UnwrapFailed, InvalidUnwrap, InvalidTag, ValueError, MalformedTokenError):
        raise DecryptionError() from None
    if len(cek) != enc.key_bytes:
        raise DecryptionError()
    return cek


def _unwrap(
    spec: KeyAlgorithm,
    enc: ContentAlgorithm,
    key: Key,
    header: Mapping[str, Any],
    encrypted_key: bytes,
) -> bytes:
    family = spec.family
    if family in ("dir", "ECDH-ES") and not spec.kek_bytes:
        if encrypted_key:  # RFC 7516 §5.2 step 10: must be empty
            raise UnwrapFailed
        if family == "dir":
            assert key.secret is not None
            return key.secret
        return _ecdh_derive(spec, enc, ecdh.peer_z(key, header), header)
    if family == "RSA-OAEP":
        private = key.crypto
        if not isinstance(private, rsa.RSAPrivateKey):
            raise UnwrapFailed
        if len(encrypted_key) != (private.key_size + 7) // 8:
            raise UnwrapFailed
        return private.decrypt(encrypted_key, _oaep(spec))
    if family == "AESGCMKW":
        iv, tag = header.get("iv"), header.get("tag")
        if not isinstance(iv, str) or not isinstance(tag, str):
            raise UnwrapFailed
        ivb, tagb = b64decode(iv), b64decode(tag)
        if len(ivb) != 12 or len(tagb) != 16 or len(encrypted_key) != enc.key_bytes:
            raise UnwrapFailed
        assert key.secret is not None
        return AESGCM(key.secret).decrypt(ivb, encrypted_key + tagb, None)
    if len(encrypted_key) != enc.key_bytes + 8:
        raise UnwrapFailed
    if family == "ECDH-ES":
        kek = _ecdh_derive(spec, enc, ecdh.peer_z(key, header), header)
    elif family == "PBES2":
        salt, p2c = pbes2.salt_and_count(header)
        assert key.secret is not None
        kek = _pbes2_kek(spec, key.secret, salt, p2c)
    else:
        assert key.secret is not None
        kek = key.secret
    return aes_key_unwrap(kek, encrypted_key)
