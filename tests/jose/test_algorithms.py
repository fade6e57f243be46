"""The algorithm table and the signature primitives' input checks."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from gatepass.errors import JoseError
from gatepass.jose import ALGORITHMS, Algorithm, Key, jws
from gatepass.jose.algorithms import algorithms_for_key

EXPECTED = {
    "HS256": ("oct", "HMAC", "sha256", frozenset(), 32),
    "HS384": ("oct", "HMAC", "sha384", frozenset(), 48),
    "HS512": ("oct", "HMAC", "sha512", frozenset(), 64),
    "RS256": ("RSA", "RSA", "sha256", frozenset(), 0),
    "RS384": ("RSA", "RSA", "sha384", frozenset(), 0),
    "RS512": ("RSA", "RSA", "sha512", frozenset(), 0),
    "PS256": ("RSA", "RSA-PSS", "sha256", frozenset(), 0),
    "PS384": ("RSA", "RSA-PSS", "sha384", frozenset(), 0),
    "PS512": ("RSA", "RSA-PSS", "sha512", frozenset(), 0),
    "ES256": ("EC", "ECDSA", "sha256", frozenset({"P-256"}), 0),
    "ES384": ("EC", "ECDSA", "sha384", frozenset({"P-384"}), 0),
    "ES512": ("EC", "ECDSA", "sha512", frozenset({"P-521"}), 0),
    "EdDSA": ("OKP", "EdDSA", None, frozenset({"Ed25519", "Ed448"}), 0),
    "Ed25519": ("OKP", "EdDSA", None, frozenset({"Ed25519"}), 0),
}


def test_table_is_exactly_the_documented_algorithms() -> None:
    assert set(ALGORITHMS) == set(EXPECTED)
    for name, (kty, family, hash_name, curves, min_secret) in EXPECTED.items():
        alg = ALGORITHMS[name]
        assert isinstance(alg, Algorithm)
        assert (alg.name, alg.kty, alg.family, alg.hash_name) == (name, kty, family, hash_name)
        assert alg.curves == curves
        if family == "HMAC":
            assert alg.min_secret_bytes == min_secret


def test_none_is_not_in_the_table_in_any_spelling() -> None:
    assert not {name.lower() for name in ALGORITHMS} & {"none", ""}


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        ALGORITHMS["none"] = ALGORITHMS["HS256"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ALGORITHMS["HS256"].hash_name = "md5"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param(lambda: Key.generate("RS256"), {"RS256"}, id="rsa-named"),
        pytest.param(
            lambda: Key.from_crypto(Key.generate("RS256").crypto),
            {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
            id="rsa-unnamed",
        ),
        pytest.param(
            lambda: Key.from_crypto(ec.generate_private_key(ec.SECP256R1())), {"ES256"}, id="p256"
        ),
        pytest.param(
            lambda: Key.from_crypto(ec.generate_private_key(ec.SECP521R1())), {"ES512"}, id="p521"
        ),
        pytest.param(
            lambda: Key.from_crypto(Key.generate("EdDSA").crypto),
            {"EdDSA", "Ed25519"},
            id="ed25519",
        ),
        pytest.param(
            lambda: Key.from_crypto(Key.generate("EdDSA", crv="Ed448").crypto),
            {"EdDSA"},
            id="ed448",
        ),
        pytest.param(lambda: Key.from_secret(b"s" * 32, alg=None), {"HS256"}, id="oct-32"),
        pytest.param(lambda: Key.from_secret(b"s" * 48, alg=None), {"HS256", "HS384"}, id="oct-48"),
        pytest.param(
            lambda: Key.from_secret(b"s" * 64, alg=None), {"HS256", "HS384", "HS512"}, id="oct-64"
        ),
    ],
)
def test_algorithms_for_key(key: object, expected: set[str]) -> None:
    assert callable(key)
    assert algorithms_for_key(key()) == frozenset(expected)


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512"])
def test_ecdsa_signature_is_raw_r_and_s_of_exact_length(alg: str) -> None:
    key = Key.generate(alg)
    token = jws.sign(b"x", key, alg)
    h64, p64, s64 = token.split(".")
    size = {"ES256": 32, "ES384": 48, "ES512": 66}[alg]
    raw = base64.urlsafe_b64decode(s64 + "=" * (-len(s64) % 4))
    assert len(raw) == 2 * size
    r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
    # The DER form of the same signature is refused.
    der = encode_dss_signature(r, s)
    assert decode_dss_signature(der) == (r, s)
    der64 = base64.urlsafe_b64encode(der).rstrip(b"=").decode()
    with pytest.raises(JoseError):
        jws.verify(f"{h64}.{p64}.{der64}", key.public_key(), algorithms=[alg])
    # So are r||s with a leading zero byte added or dropped.
    for bad in (b"\x00" + raw, raw[1:], raw + b"\x00"):
        bad64 = base64.urlsafe_b64encode(bad).rstrip(b"=").decode()
        with pytest.raises(JoseError):
            jws.verify(f"{h64}.{p64}.{bad64}", key.public_key(), algorithms=[alg])


@pytest.mark.parametrize("alg", ["RS256", "PS256", "EdDSA"])
def test_signature_of_wrong_length_refused(alg: str) -> None:
    key = Key.generate(alg)
    h64, p64, s64 = jws.sign(b"x", key, alg).split(".")
    raw = base64.urlsafe_b64decode(s64 + "=" * (-len(s64) % 4))
    for bad in (b"\x00" + raw, raw[:-1], b""):
        bad64 = base64.urlsafe_b64encode(bad).rstrip(b"=").decode()
        with pytest.raises(JoseError):
            jws.verify(f"{h64}.{p64}.{bad64}", key.public_key(), algorithms=[alg])
