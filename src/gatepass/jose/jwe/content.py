"""Content encryption (RFC 7518 §5): AES-GCM and AES-CBC with HMAC-SHA-2.

Every failure raises :class:`DecryptionError` with one fixed message, whatever
went wrong (IV or tag length, tag mismatch, padding): a JWE must not become a
padding or tag oracle. AES-CBC-HMAC checks the full-length tag in constant time
before the ciphertext is decrypted, so padding is only ever examined on
authenticated input.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gatepass.errors import DecryptionError

__all__ = ["ENCRYPTIONS", "ContentAlgorithm", "decrypt", "encrypt", "generate_cek"]


@dataclass(frozen=True, slots=True)
class ContentAlgorithm:
    """One ``enc`` value: the CEK, IV and tag sizes it requires (in bytes)."""

    name: str
    key_bytes: int
    iv_bytes: int
    tag_bytes: int
    hash_name: str | None = None  # CBC-HMAC only


ENCRYPTIONS: Final[Mapping[str, ContentAlgorithm]] = MappingProxyType(
    {
        a.name: a
        for a in (
            ContentAlgorithm("A128GCM", 16, 12, 16),
            ContentAlgorithm("A256GCM", 32, 12, 16),
            ContentAlgorithm("A128CBC-HS256", 32, 16, 16, "sha256"),
            ContentAlgorithm("A192CBC-HS384", 48, 16, 24, "sha384"),
            ContentAlgorithm("A256CBC-HS512", 64, 16, 32, "sha512"),
        )
    }
)

_BLOCK: Final = 16


def generate_cek(enc: ContentAlgorithm) -> bytes:
    """A fresh random content encryption key for ``enc``."""
    return os.urandom(enc.key_bytes)


def _cbc_tag(enc: ContentAlgorithm, mac_key: bytes, aad: bytes, iv: bytes, ct: bytes) -> bytes:
    al = (len(aad) * 8).to_bytes(8, "big")  # RFC 7518 §5.2.2.1 step 4
    assert enc.hash_name is not None
    return hmac.digest(mac_key, aad + iv + ct + al, enc.hash_name)[: enc.tag_bytes]


def encrypt(
    enc: ContentAlgorithm, cek: bytes, plaintext: bytes, aad: bytes
) -> tuple[bytes, bytes, bytes]:
    """Encrypt ``plaintext``; return ``(iv, ciphertext, tag)``."""
    if len(cek) != enc.key_bytes:
        raise ValueError("The content encryption key has the wrong length")
    iv = os.urandom(enc.iv_bytes)
    if enc.hash_name is None:
        sealed = AESGCM(cek).encrypt(iv, plaintext, aad)
        return iv, sealed[: -enc.tag_bytes], sealed[-enc.tag_bytes :]
    half = enc.key_bytes // 2
    mac_key, enc_key = cek[:half], cek[half:]
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ct = encryptor.update(padded) + encryptor.finalize()
    return iv, ct, _cbc_tag(enc, mac_key, aad, iv, ct)


def decrypt(
    enc: ContentAlgorithm, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes
) -> bytes:
    """Authenticate and decrypt; any failure raises DecryptionError (one message)."""
    if len(cek) != enc.key_bytes or len(iv) != enc.iv_bytes or len(tag) != enc.tag_bytes:
        raise DecryptionError()
    if enc.hash_name is None:
        try:
            return AESGCM(cek).decrypt(iv, ciphertext + tag, aad)
        except InvalidTag:
            raise DecryptionError() from None
    half = enc.key_bytes // 2
    mac_key, enc_key = cek[:half], cek[half:]
    expected = _cbc_tag(enc, mac_key, aad, iv, ciphertext)
    if not hmac.compare_digest(expected, tag) or not ciphertext or len(ciphertext) % _BLOCK:
        raise DecryptionError()
    decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptionError() from None
