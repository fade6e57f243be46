"""Key management: the RFC 7518 App. C ECDH-ES derivation, key checks, key generation."""

from __future__ import annotations

import os

import pytest

from gatepass.errors import AlgorithmNotAllowedError, DecryptionError, InvalidKeyError
from gatepass.jose import Key
from gatepass.jose._b64 import b64encode
from gatepass.jose.jwe import ENCRYPTIONS, KEY_ALGORITHMS, generate_key
from gatepass.jose.jwe.keymgmt import check_key, unwrap, wrap

# RFC 7518 Appendix C: Alice (ephemeral) to Bob, ECDH-ES, A128GCM, apu "Alice", apv "Bob".
BOB = {
    "kty": "EC",
    "crv": "P-256",
    "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
    "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
    "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw",
}
APPENDIX_C_HEADER = {
    "alg": "ECDH-ES",
    "enc": "A128GCM",
    "apu": "QWxpY2U",
    "apv": "Qm9i",
    "epk": {
        "kty": "EC",
        "crv": "P-256",
        "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
        "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
    },
}


def test_rfc7518_appendix_c_ecdh_es_derived_key() -> None:
    cek = unwrap(
        KEY_ALGORITHMS["ECDH-ES"],
        ENCRYPTIONS["A128GCM"],
        Key.import_jwk(BOB),
        APPENDIX_C_HEADER,
        b"",
    )
    assert b64encode(cek) == "VqqN6vgjbSBcIijNcacQGg"


def test_appendix_c_with_other_party_info_derives_another_key() -> None:
    header = {**APPENDIX_C_HEADER, "apv": "Qm9j"}
    cek = unwrap(
        KEY_ALGORITHMS["ECDH-ES"], ENCRYPTIONS["A128GCM"], Key.import_jwk(BOB), header, b""
    )
    assert b64encode(cek) != "VqqN6vgjbSBcIijNcacQGg"


@pytest.mark.parametrize("alg", ["A128KW", "A256KW", "A128GCMKW", "A256GCMKW"])
def test_wrap_then_unwrap_returns_the_cek(alg: str) -> None:
    key, spec, enc = generate_key(alg), KEY_ALGORITHMS[alg], ENCRYPTIONS["A192CBC-HS384"]
    header: dict[str, object] = {}
    cek, wrapped = wrap(spec, enc, key, header)
    assert len(cek) == 48
    assert unwrap(spec, enc, key, header, wrapped) == cek


@pytest.mark.parametrize("alg", ["A128KW", "A128GCMKW", "RSA-OAEP"])
def test_wrapped_key_of_the_wrong_length_fails(alg: str) -> None:
    key, spec, enc = generate_key(alg), KEY_ALGORITHMS[alg], ENCRYPTIONS["A128GCM"]
    header: dict[str, object] = {}
    _, wrapped = wrap(spec, enc, key.public_key() if key.kty != "oct" else key, header)
    with pytest.raises(DecryptionError):
        unwrap(spec, enc, key, header, wrapped[:-1])
    with pytest.raises(DecryptionError):
        unwrap(spec, enc, key, header, wrapped + b"\0")


def test_gcmkw_needs_its_iv_and_tag() -> None:
    key, spec, enc = generate_key("A128GCMKW"), KEY_ALGORITHMS["A128GCMKW"], ENCRYPTIONS["A128GCM"]
    header: dict[str, object] = {}
    _, wrapped = wrap(spec, enc, key, header)
    for missing in ("iv", "tag"):
        partial = {k: v for k, v in header.items() if k != missing}
        with pytest.raises(DecryptionError):
            unwrap(spec, enc, key, partial, wrapped)
    with pytest.raises(DecryptionError):
        unwrap(spec, enc, key, {**header, "tag": b64encode(os.urandom(16))}, wrapped)


def test_wrap_with_a_cek_sized_kek_mismatch_is_caught_by_check_key() -> None:
    short = Key.import_jwk({"kty": "oct", "k": b64encode(os.urandom(24))})
    with pytest.raises(InvalidKeyError):
        check_key(KEY_ALGORITHMS["A256KW"], ENCRYPTIONS["A128GCM"], short, decrypting=False)


def test_dir_key_may_be_bound_to_its_enc() -> None:
    key = Key.import_jwk({"kty": "oct", "k": b64encode(os.urandom(16)), "alg": "A128GCM"})
    check_key(KEY_ALGORITHMS["dir"], ENCRYPTIONS["A128GCM"], key, decrypting=True)
    with pytest.raises(AlgorithmNotAllowedError):
        check_key(KEY_ALGORITHMS["A128KW"], ENCRYPTIONS["A128GCM"], key, decrypting=True)


def test_key_ops_for_encryption_are_honoured() -> None:
    jwk = {"kty": "oct", "k": b64encode(os.urandom(16)), "key_ops": ["wrapKey", "unwrapKey"]}
    check_key(
        KEY_ALGORITHMS["A128KW"], ENCRYPTIONS["A128GCM"], Key.import_jwk(jwk), decrypting=True
    )


@pytest.mark.parametrize("crv", ["P-256", "P-384", "P-521", "X25519"])
def test_generated_ecdh_keys(crv: str) -> None:
    key = generate_key("ECDH-ES+A128KW", crv=crv)
    assert (key.crv, key.use, key.alg, key.kid_explicit) == (crv, "enc", "ECDH-ES+A128KW", True)


def test_generated_dir_key_matches_enc() -> None:
    assert generate_key("dir", enc="A256CBC-HS512").size == 512
    with pytest.raises(AlgorithmNotAllowedError):
        generate_key("dir")


@pytest.mark.parametrize("alg", ["PBES2-HS256+A128KW", "RSA1_5", "HS256"])
def test_no_generated_key_for(alg: str) -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        generate_key(alg)


def test_generate_refuses_unknown_curve() -> None:
    with pytest.raises(InvalidKeyError):
        generate_key("ECDH-ES", crv="secp256k1")


def test_rsa1_5_is_not_in_the_table() -> None:
    assert "RSA1_5" not in KEY_ALGORITHMS
