"""Named regressions: the JWE advisories of other libraries, each as a test.

- CVE-2024-28102 (jwcrypto) and CVE-2024-33664 (python-jose): a small token
  whose ``zip: DEF`` payload inflates without bound.
- CVE-2023-6681 (jwcrypto): a PBES2 token whose ``p2c`` makes one decryption
  cost minutes of CPU.
- Invalid-curve ``epk`` (RFC 8725 §3.4): an ephemeral key off the curve, on
  another curve, or of small order must never reach the key agreement result.
- A tag of the wrong length and one flipped ciphertext bit are refused for every
  content encryption.
"""

from __future__ import annotations

import os
import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from gatepass.errors import (
    AlgorithmNotAllowedError,
    DecryptionError,
    InvalidKeyError,
    MalformedTokenError,
    TokenTooLargeError,
    UnsupportedHeaderError,
)
from gatepass.jose import Key, Limits
from gatepass.jose._b64 import b64decode, b64encode
from gatepass.jose._json import loads_object
from gatepass.jose.jwe import ENCRYPTIONS, content, decrypt, encrypt, keymgmt
from gatepass.jose.jwe.compact import encode_header, join
from gatepass.jose.jwe.keymgmt import KEY_ALGORITHMS, unwrap
from tests.jose.jwe.helpers import key_for, sender_key

ALL_ENCS = sorted(ENCRYPTIONS)
BIG = Limits(max_token_bytes=64_000, max_header_bytes=1024, max_payload_bytes=48_000)


def _zip_bomb(size: int) -> str:
    """An honestly encrypted token whose plaintext inflates to ``size`` zero bytes."""
    key = key_for("A128KW")
    return encrypt(b"\0" * size, key, alg="A128KW", enc="A128GCM", zip="DEF")


def _open_zip(token: str, **kwargs: Any) -> bytes:
    return decrypt(
        token,
        key_for("A128KW"),
        algorithms=["A128KW"],
        encryptions=["A128GCM"],
        limits=BIG,
        **kwargs,
    )[1]


def test_cve_2024_28102_zip_bomb_refused_by_default() -> None:
    with pytest.raises(UnsupportedHeaderError):
        _open_zip(_zip_bomb(10_000))


def test_cve_2024_28102_zip_bomb_capped_when_zip_allowed() -> None:
    token = _zip_bomb(40_000_000)  # ~39 KB on the wire, 40 MB inflated
    with pytest.raises(TokenTooLargeError, match="decompressed"):
        _open_zip(token, allow_zip=True)


def test_cve_2024_33664_cap_is_exact() -> None:
    assert _open_zip(_zip_bomb(250_000), allow_zip=True) == b"\0" * 250_000
    with pytest.raises(TokenTooLargeError):
        _open_zip(_zip_bomb(250_001), allow_zip=True)
    with pytest.raises(TokenTooLargeError):
        _open_zip(_zip_bomb(1001), allow_zip=True, max_decompressed=1000)


def test_truncated_deflate_stream_is_refused() -> None:
    key = key_for("A128KW")
    deflated = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    stream = deflated.compress(os.urandom(200)) + deflated.flush()
    # Encrypt a truncated raw stream by hand, with a zip header, to test inflate.
    header = {"alg": "A128KW", "enc": "A128GCM", "zip": "DEF"}
    cek, wrapped = keymgmt.wrap(KEY_ALGORITHMS["A128KW"], ENCRYPTIONS["A128GCM"], key, header)
    protected = encode_header(header)
    iv, ct, tag = content.encrypt(ENCRYPTIONS["A128GCM"], cek, stream[:-5], protected.encode())
    with pytest.raises(DecryptionError):
        _open_zip(join(protected, wrapped, iv, ct, tag), allow_zip=True)


# -- CVE-2023-6681: PBES2 p2c ----------------------------------------------------------

PASSWORD = Key.import_jwk({"kty": "oct", "k": b64encode(b"correct horse battery staple")})
PBES2 = "PBES2-HS256+A128KW"


def _pbes2(p2c: int) -> str:
    return encrypt(b"x", PASSWORD, alg=PBES2, enc="A128GCM", headers={"p2c": p2c})


def test_pbes2_round_trip_when_enabled() -> None:
    token = _pbes2(1000)
    assert (
        decrypt(token, PASSWORD, algorithms=[PBES2], encryptions=["A128GCM"], allow_pbes2=True)[1]
        == b"x"
    )


def test_pbes2_refused_unless_enabled() -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        decrypt(_pbes2(1000), PASSWORD, algorithms=[PBES2], encryptions=["A128GCM"])


def test_cve_2023_6681_huge_p2c_refused_before_any_derivation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = _pbes2(1000)
    protected, rest = token.split(".", 1)
    header = b64decode(protected).replace(b'"p2c":1000', b'"p2c":2147483647')
    forged = b64encode(header) + "." + rest

    def forbidden(*_: object) -> bytes:
        raise AssertionError("PBKDF2 must not run for an over-cap p2c")

    monkeypatch.setattr(keymgmt, "_pbes2_kek", forbidden)
    with pytest.raises(UnsupportedHeaderError, match="iteration count"):
        decrypt(forged, PASSWORD, algorithms=[PBES2], encryptions=["A128GCM"], allow_pbes2=True)


@pytest.mark.parametrize("p2c", [0, 999, 16_385])
def test_pbes2_p2c_bounds(p2c: int) -> None:
    token = _pbes2(1000)
    protected, rest = token.split(".", 1)
    header = b64decode(protected).replace(b'"p2c":1000', f'"p2c":{p2c}'.encode())
    with pytest.raises(UnsupportedHeaderError):
        decrypt(
            b64encode(header) + "." + rest,
            PASSWORD,
            algorithms=[PBES2],
            encryptions=["A128GCM"],
            allow_pbes2=True,
        )


def test_pbes2_caller_may_raise_the_cap() -> None:
    token = _pbes2(20_000)
    with pytest.raises(UnsupportedHeaderError):
        decrypt(token, PASSWORD, algorithms=[PBES2], encryptions=["A128GCM"], allow_pbes2=True)
    assert (
        decrypt(
            token,
            PASSWORD,
            algorithms=[PBES2],
            encryptions=["A128GCM"],
            allow_pbes2=True,
            max_p2c=20_000,
        )[1]
        == b"x"
    )


# -- invalid-curve epk (RFC 8725 §3.4) ---------------------------------------------------


def _ecdh_header(key: Key) -> dict[str, Any]:
    token = encrypt(b"x", sender_key(key), alg="ECDH-ES", enc="A128GCM")
    return loads_object(b64decode(token.split(".")[0]))


def _unwrap(key: Key, header: dict[str, Any]) -> bytes:
    return unwrap(KEY_ALGORITHMS["ECDH-ES"], ENCRYPTIONS["A128GCM"], key, header, b"")


def test_valid_epk_derives_a_key() -> None:
    """The baseline: the same call with a genuine epk succeeds."""
    key = key_for("ECDH-ES", "P-256")
    assert len(_unwrap(key, _ecdh_header(key))) == 16


def _off_curve(epk: dict[str, str]) -> dict[str, str]:
    y = bytearray(b64decode(epk["y"]))
    y[-1] ^= 1
    return {**epk, "y": b64encode(bytes(y))}


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_off_curve, id="point-off-the-curve"),
        pytest.param(lambda e: {**e, "crv": "P-384"}, id="claims-another-curve"),
        pytest.param(lambda e: {**e, "kty": "OKP"}, id="wrong-kty"),
        pytest.param(lambda e: {k: v for k, v in e.items() if k != "y"}, id="no-y"),
        pytest.param(lambda e: {**e, "x": e["x"][:-2]}, id="short-x"),
        pytest.param(lambda e: {**e, "d": e["x"]}, id="private-member"),
        pytest.param(lambda e: "not-an-object", id="not-an-object"),
    ],
)
def test_invalid_epk_is_refused(tamper: Any) -> None:
    key = key_for("ECDH-ES", "P-256")
    header = _ecdh_header(key)
    header["epk"] = tamper(header["epk"])
    with pytest.raises(DecryptionError):
        _unwrap(key, header)


def test_epk_on_another_curve_than_the_recipient_is_refused() -> None:
    """A genuine P-384 point sent to a P-256 key (the invalid-curve attack's shape)."""
    key = key_for("ECDH-ES", "P-256")
    other = ec.generate_private_key(ec.SECP384R1()).public_key().public_numbers()
    header = _ecdh_header(key)
    header["epk"] = {
        "kty": "EC",
        "crv": "P-384",
        "x": b64encode(other.x.to_bytes(48, "big")),
        "y": b64encode(other.y.to_bytes(48, "big")),
    }
    with pytest.raises(DecryptionError):
        _unwrap(key, header)
    header["epk"]["crv"] = "P-256"  # lie about the curve: the lengths no longer fit
    with pytest.raises(DecryptionError):
        _unwrap(key, header)


@pytest.mark.parametrize("point", [bytes(32), (1).to_bytes(32, "little")])
def test_x25519_small_order_epk_is_refused(point: bytes) -> None:
    key = key_for("ECDH-ES", "X25519")
    header = _ecdh_header(key)
    header["epk"] = {"kty": "OKP", "crv": "X25519", "x": b64encode(point)}
    with pytest.raises(DecryptionError):
        _unwrap(key, header)


def test_invalid_epk_through_decrypt_gives_the_one_error() -> None:
    key = key_for("ECDH-ES", "P-256")
    token = encrypt(b"x", sender_key(key), alg="ECDH-ES", enc="A128GCM")
    rest = token.split(".", 1)[1]
    header = _ecdh_header(key)
    header["epk"] = _off_curve(header["epk"])
    with pytest.raises(DecryptionError) as caught:
        decrypt(
            encode_header(header) + "." + rest, key, algorithms=["ECDH-ES"], encryptions=["A128GCM"]
        )
    assert str(caught.value) == "decryption_failed: The token could not be decrypted"


# -- tag length and bit flips -------------------------------------------------------------


def _token(enc: str) -> tuple[Key, str]:
    key = key_for("A256KW")
    return key, encrypt(b"attack at dawn, bring snacks", key, alg="A256KW", enc=enc)


def _with_segment(token: str, index: int, data: bytes) -> str:
    parts = token.split(".")
    parts[index] = b64encode(data)
    return ".".join(parts)


@pytest.mark.parametrize("enc", ALL_ENCS)
@pytest.mark.parametrize("change", ["truncate-1", "truncate-half", "extend-1", "empty"])
def test_tag_of_the_wrong_length_is_refused(enc: str, change: str) -> None:
    key, token = _token(enc)
    tag = b64decode(token.rsplit(".", 1)[1])
    assert len(tag) == ENCRYPTIONS[enc].tag_bytes
    new = {
        "truncate-1": tag[:-1],
        "truncate-half": tag[: len(tag) // 2],
        "extend-1": tag + b"\0",
        "empty": b"",
    }[change]
    with pytest.raises(DecryptionError):
        decrypt(_with_segment(token, 4, new), key, algorithms=["A256KW"], encryptions=[enc])


@pytest.mark.parametrize("enc", ALL_ENCS)
@pytest.mark.parametrize("bit", [0, 7, 100])
def test_one_flipped_ciphertext_bit_is_refused(enc: str, bit: int) -> None:
    key, token = _token(enc)
    ct = bytearray(b64decode(token.split(".")[3]))
    ct[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(DecryptionError):
        decrypt(_with_segment(token, 3, bytes(ct)), key, algorithms=["A256KW"], encryptions=[enc])


@pytest.mark.parametrize("enc", ALL_ENCS)
def test_unmodified_token_decrypts(enc: str) -> None:
    """The baseline for the two tests above."""
    key, token = _token(enc)
    assert decrypt(token, key, algorithms=["A256KW"], encryptions=[enc])[1].startswith(b"attack")


def test_header_cannot_be_swapped_between_tokens() -> None:
    key = key_for("A256KW")
    first = encrypt(b"x", key, alg="A256KW", enc="A256GCM", headers={"typ": "a"})
    second = encrypt(b"x", key, alg="A256KW", enc="A256GCM", headers={"typ": "b"})
    swapped = first.split(".", 1)[0] + "." + second.split(".", 1)[1]
    with pytest.raises(DecryptionError):
        decrypt(swapped, key, algorithms=["A256KW"], encryptions=["A256GCM"])


def test_rsa_oaep_garbage_key_fails_like_a_bad_tag() -> None:
    """RFC 7516 §11.5: an unwrap failure is indistinguishable from a tag failure."""
    key = key_for("RSA-OAEP")
    token = encrypt(b"x", key.public_key(), alg="RSA-OAEP", enc="A128GCM")
    garbage = _with_segment(token, 1, os.urandom(256))
    bad_tag = _with_segment(token, 4, os.urandom(16))
    errors = []
    for forged in (garbage, bad_tag):
        with pytest.raises(DecryptionError) as caught:
            decrypt(forged, key, algorithms=["RSA-OAEP"], encryptions=["A128GCM"])
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


def test_five_segment_token_with_json_serialisation_is_refused() -> None:
    with pytest.raises(MalformedTokenError):
        decrypt(
            '{"protected":"e30","ciphertext":"AA"}',
            key_for("A128KW"),
            algorithms=["A128KW"],
            encryptions=["A128GCM"],
        )


def test_x25519_small_order_recipient_key_is_refused_when_encrypting() -> None:
    weak = Key.from_crypto(x25519.X25519PublicKey.from_public_bytes(bytes(32)))
    with pytest.raises(InvalidKeyError):
        encrypt(b"x", weak, alg="ECDH-ES", enc="A128GCM")
