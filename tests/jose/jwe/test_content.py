"""Content encryption: exact IV and tag lengths, no padding oracle, RFC 7516 A.3 CEK."""

from __future__ import annotations

import hmac
import os

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from gatepass.errors import DecryptionError
from gatepass.jose.jwe.content import ENCRYPTIONS, decrypt, encrypt

ALL = sorted(ENCRYPTIONS)

# RFC 7516 Appendix A.3: the CEK, IV, AAD, ciphertext and tag of A128CBC-HS256.
A3_CEK = bytes(
    [
        4,
        211,
        31,
        197,
        84,
        157,
        252,
        254,
        11,
        100,
        157,
        250,
        63,
        170,
        106,
        206,
        107,
        124,
        212,
        45,
        111,
        107,
        9,
        219,
        200,
        177,
        0,
        240,
        143,
        156,
        44,
        207,
    ]
)
A3_IV = bytes([3, 22, 60, 12, 43, 67, 104, 105, 108, 108, 105, 99, 111, 116, 104, 101])
A3_AAD = b"eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0"
A3_CT = bytes(
    [
        40,
        57,
        83,
        181,
        119,
        33,
        133,
        148,
        198,
        185,
        243,
        24,
        152,
        230,
        6,
        75,
        129,
        223,
        127,
        19,
        210,
        82,
        183,
        230,
        168,
        33,
        215,
        104,
        143,
        112,
        56,
        102,
    ]
)
A3_TAG = bytes([83, 73, 191, 98, 104, 205, 211, 128, 201, 189, 199, 133, 32, 38, 194, 85])


def test_rfc7516_a3_content_decryption() -> None:
    out = decrypt(ENCRYPTIONS["A128CBC-HS256"], A3_CEK, A3_IV, A3_CT, A3_TAG, A3_AAD)
    assert out == b"Live long and prosper."


@pytest.mark.parametrize("enc", ALL)
def test_sizes(enc: str) -> None:
    spec = ENCRYPTIONS[enc]
    iv, ct, tag = encrypt(spec, os.urandom(spec.key_bytes), b"abc", b"aad")
    assert (len(iv), len(tag)) == (spec.iv_bytes, spec.tag_bytes)
    assert len(ct) == (3 if spec.hash_name is None else 16)


@pytest.mark.parametrize("enc", ALL)
def test_aad_is_authenticated(enc: str) -> None:
    spec = ENCRYPTIONS[enc]
    cek = os.urandom(spec.key_bytes)
    iv, ct, tag = encrypt(spec, cek, b"abc", b"aad")
    assert decrypt(spec, cek, iv, ct, tag, b"aad") == b"abc"
    with pytest.raises(DecryptionError):
        decrypt(spec, cek, iv, ct, tag, b"aae")


@pytest.mark.parametrize("enc", ALL)
def test_wrong_iv_length_and_cek_length(enc: str) -> None:
    spec = ENCRYPTIONS[enc]
    cek = os.urandom(spec.key_bytes)
    iv, ct, tag = encrypt(spec, cek, b"abc", b"")
    with pytest.raises(DecryptionError):
        decrypt(spec, cek, iv + b"\0", ct, tag, b"")
    with pytest.raises(DecryptionError):
        decrypt(spec, cek[:-1], iv, ct, tag, b"")
    with pytest.raises(ValueError):
        encrypt(spec, cek[:-1], b"abc", b"")


@pytest.mark.parametrize("enc", ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"])
def test_bad_padding_under_a_valid_tag_gives_the_same_error(enc: str) -> None:
    """Even with a correct tag over it, bad padding says nothing more than a bad tag."""
    spec = ENCRYPTIONS[enc]
    assert spec.hash_name is not None
    cek = os.urandom(spec.key_bytes)
    mac_key, enc_key = cek[: spec.key_bytes // 2], cek[spec.key_bytes // 2 :]
    iv = os.urandom(16)
    block = b"A" * 15 + b"\x07"  # claims 7 bytes of padding, but they are not all 7
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ct = encryptor.update(block) + encryptor.finalize()
    al = (0).to_bytes(8, "big")
    tag = hmac.digest(mac_key, iv + ct + al, spec.hash_name)[: spec.tag_bytes]
    with pytest.raises(DecryptionError) as padding_error:
        decrypt(spec, cek, iv, ct, tag, b"")
    with pytest.raises(DecryptionError) as tag_error:
        decrypt(spec, cek, iv, ct, bytes(len(tag)), b"")
    assert str(padding_error.value) == str(tag_error.value)


def test_cbc_full_tag_required_even_when_prefix_matches() -> None:
    spec = ENCRYPTIONS["A256CBC-HS512"]
    cek = os.urandom(spec.key_bytes)
    iv, ct, tag = encrypt(spec, cek, b"abc", b"")
    with pytest.raises(DecryptionError):
        decrypt(spec, cek, iv, ct, tag[:16], b"")
