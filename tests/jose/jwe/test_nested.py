"""Nested JWTs: sign-then-encrypt, decrypt-then-verify, and the rules that keep
each token type to itself (RFC 8725 §3.11-3.12)."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from gatepass.errors import (
    AlgorithmNotAllowedError,
    ClaimError,
    InvalidKeyError,
    MalformedTokenError,
    TokenExpiredError,
)
from gatepass.jose import Key, jwt
from gatepass.jose.jwe import decrypt, encrypt, generate_key, nested

SIGNING = Key.generate("ES256", kid="sig-1")
ENCRYPTION = generate_key("ECDH-ES", crv="P-256", kid="enc-1")
EXP = int(time.time()) + 600
CLAIMS: dict[str, Any] = {"sub": "u1", "exp": EXP, "card_number": "4111111111111111"}
TYP = "at+jwt"


def _seal(claims: dict[str, Any] = CLAIMS, **kwargs: Any) -> str:
    options: dict[str, Any] = {"typ": TYP, "alg": "ECDH-ES", "enc": "A256GCM", **kwargs}
    return nested.sign_then_encrypt(claims, SIGNING, ENCRYPTION.public_key(), **options)


def _open(token: str, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "typ": TYP,
        "algorithms": ["ECDH-ES"],
        "encryptions": ["A256GCM"],
        "signing_algorithms": ["ES256"],
        **kwargs,
    }
    return nested.decrypt_then_verify(token, ENCRYPTION, SIGNING.public_key(), **options)


def test_round_trip_keeps_sensitive_claims_secret() -> None:
    token = _seal()
    assert _open(token) == CLAIMS
    assert b"4111" not in token.encode()


def test_outer_header_declares_a_nested_jwt() -> None:
    header, inner = decrypt(_seal(), ENCRYPTION, algorithms=["ECDH-ES"], encryptions=["A256GCM"])
    assert header["cty"] == "JWT"
    assert header["typ"] == TYP
    assert inner.count(b".") == 2


@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/jwt"])
def test_generic_typ_is_refused_both_ways(typ: str) -> None:
    with pytest.raises(ValueError, match="own typ"):
        _seal(typ=typ)
    with pytest.raises(ValueError, match="own typ"):
        _open(_seal(), typ=typ)


def test_typ_media_type_prefix_is_equivalent() -> None:
    assert _open(_seal(), typ="application/at+jwt") == CLAIMS


def test_same_key_for_signing_and_encryption_is_refused() -> None:
    secret = os.urandom(32)
    hmac_key = Key.from_secret(secret)
    dir_key = Key.import_jwk({"kty": "oct", "k": hmac_key.export_jwk(private=True)["k"]})
    with pytest.raises(InvalidKeyError):
        nested.sign_then_encrypt(
            CLAIMS, hmac_key, dir_key, typ=TYP, alg="dir", enc="A256GCM", sign_alg="HS256"
        )
    with pytest.raises(InvalidKeyError):
        nested.decrypt_then_verify(
            "x.y.z.a.b",
            dir_key,
            hmac_key,
            typ=TYP,
            algorithms=["dir"],
            encryptions=["A256GCM"],
            signing_algorithms=["HS256"],
        )


def test_same_asymmetric_key_for_both_is_refused() -> None:
    shared = generate_key("ECDH-ES", crv="P-256")
    signing_view = Key.from_crypto(shared.crypto)  # the same EC key, for ES256
    with pytest.raises(InvalidKeyError):
        nested.sign_then_encrypt(
            CLAIMS,
            signing_view,
            shared.public_key(),
            typ=TYP,
            alg="ECDH-ES",
            enc="A256GCM",
            sign_alg="ES256",
        )


def test_plain_jwe_without_cty_is_not_a_nested_jwt() -> None:
    inner = jwt.encode(CLAIMS, SIGNING, "ES256", headers={"typ": TYP}, sensitive_claims=())
    token = encrypt(inner.encode(), ENCRYPTION.public_key(), alg="ECDH-ES", enc="A256GCM")
    with pytest.raises(MalformedTokenError, match="nested"):
        _open(token)


def test_jwe_inside_a_jwe_is_refused() -> None:
    inner = encrypt(b"{}", ENCRYPTION.public_key(), alg="ECDH-ES", enc="A256GCM")
    token = encrypt(
        inner.encode(),
        ENCRYPTION.public_key(),
        alg="ECDH-ES",
        enc="A256GCM",
        headers={"cty": "JWT"},
    )
    with pytest.raises(MalformedTokenError, match="signed JWT"):
        _open(token)


def test_reencrypted_plain_jwt_with_generic_typ_is_refused() -> None:
    """Anyone can encrypt to the public key: an ordinary signed JWT (typ JWT) that
    someone wraps must not pass as a nested token of type at+jwt."""
    ordinary = jwt.encode({"sub": "u1", "exp": CLAIMS["exp"]}, SIGNING, "ES256")
    token = encrypt(
        ordinary.encode(),
        ENCRYPTION.public_key(),
        alg="ECDH-ES",
        enc="A256GCM",
        headers={"cty": "JWT"},
    )
    with pytest.raises(ClaimError) as caught:
        _open(token)
    assert caught.value.claim == "typ"


def test_outer_typ_must_match_when_present() -> None:
    inner = jwt.encode(CLAIMS, SIGNING, "ES256", headers={"typ": TYP}, sensitive_claims=())
    token = encrypt(
        inner.encode(),
        ENCRYPTION.public_key(),
        alg="ECDH-ES",
        enc="A256GCM",
        headers={"cty": "JWT", "typ": "id+jwt"},
    )
    with pytest.raises(ClaimError):
        _open(token)


def test_a_plain_jws_is_not_accepted_where_a_nested_token_is_expected() -> None:
    inner = jwt.encode(CLAIMS, SIGNING, "ES256", headers={"typ": TYP}, sensitive_claims=())
    with pytest.raises(MalformedTokenError):
        _open(inner)


def test_a_nested_token_is_not_accepted_by_plain_jwt_decode() -> None:
    with pytest.raises(MalformedTokenError):
        jwt.decode(_seal(), SIGNING.public_key(), algorithms=["ES256"])


def test_inner_claims_are_validated() -> None:
    expired = {**CLAIMS, "exp": int(time.time()) - 10}
    with pytest.raises(TokenExpiredError):
        _open(_seal(expired))
    with pytest.raises(ClaimError):
        _open(_seal(), audience="api")


def test_inner_signature_algorithm_allow_list() -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        _open(_seal(), signing_algorithms=["RS256"])


def test_clock_is_injectable() -> None:
    assert _open(_seal(), clock=lambda: EXP - 1) == CLAIMS
    with pytest.raises(TokenExpiredError):
        _open(_seal(), clock=lambda: EXP + 1)
