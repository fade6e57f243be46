"""Encrypted access tokens: nested JWTs for one resource (issue 5's server half)."""

from __future__ import annotations

import time

import orjson
import pytest

from gatepass.errors import ConfigError, JoseError, MalformedTokenError
from gatepass.jose import Key, decode_unverified
from gatepass.jose._b64 import b64decode
from gatepass.jose.jwe import generate_key
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.encryption import AccessTokenEncryption


def _jwk_text(key: Key, *, private: bool = True, **extra: object) -> str:
    return orjson.dumps({**key.export_jwk(private=private), **extra}).decode()


def _issuer(encryption: AccessTokenEncryption | None) -> AccessTokenIssuer:
    return AccessTokenIssuer("https://auth.example.com", "api", 900, encryption)


def _issue(issuer: AccessTokenIssuer, key: Key) -> tuple[str, dict[str, object]]:
    return issuer.issue(
        key, user_id="u1", email="ada@example.com", role="admin", session_id="s1", now=time.time()
    )


@pytest.mark.parametrize(
    ("resource_key", "alg"),
    [
        (generate_key("dir", enc="A256GCM"), "dir"),
        (generate_key("ECDH-ES+A256KW", crv="P-256"), "ECDH-ES+A256KW"),
        (generate_key("ECDH-ES+A256KW", crv="X25519"), "ECDH-ES+A256KW"),
        (generate_key("RSA-OAEP-256"), "RSA-OAEP-256"),
    ],
    ids=["oct-dir", "p256", "x25519", "rsa"],
)
def test_round_trip_for_each_key_type(resource_key: Key, alg: str) -> None:
    encryption = AccessTokenEncryption.from_jwk_text(_jwk_text(resource_key))
    assert encryption.alg == alg
    assert encryption.enc == "A256GCM"
    signing = Key.generate("EdDSA", kid="k1")
    issuer = _issuer(encryption)
    token, claims = _issue(issuer, signing)
    assert token.count(".") == 4
    assert b"ada@example.com" not in token.encode()
    assert issuer.verifier(signing.public_key(), ["EdDSA"]).decode(token) == claims


def test_the_jwe_header_says_what_it_holds() -> None:
    resource = generate_key("dir", enc="A256GCM")
    encryption = AccessTokenEncryption.from_jwk_text(_jwk_text(resource))
    token, _ = _issue(_issuer(encryption), Key.generate("EdDSA", kid="k1"))
    header = orjson.loads(b64decode(token.split(".")[0]))
    assert header == {
        "alg": "dir",
        "enc": "A256GCM",
        "cty": "JWT",
        "typ": "at+jwt",
        "kid": resource.kid,
    }


def test_a_bare_jws_is_refused_when_tokens_are_encrypted() -> None:
    encryption = AccessTokenEncryption.from_jwk_text(_jwk_text(generate_key("dir", enc="A256GCM")))
    signing = Key.generate("EdDSA", kid="k1")
    plain, _ = _issue(_issuer(None), signing)
    with pytest.raises(MalformedTokenError):
        _issuer(encryption).verifier(signing.public_key(), ["EdDSA"]).decode(plain)


def test_a_jwe_is_refused_when_tokens_are_plain() -> None:
    encryption = AccessTokenEncryption.from_jwk_text(_jwk_text(generate_key("dir", enc="A256GCM")))
    signing = Key.generate("EdDSA", kid="k1")
    nested, _ = _issue(_issuer(encryption), signing)
    with pytest.raises(JoseError):
        _issuer(None).verifier(signing.public_key(), ["EdDSA"]).decode(nested)


def test_another_resource_key_cannot_read_the_token() -> None:
    ours = AccessTokenEncryption.from_jwk_text(_jwk_text(generate_key("dir", enc="A256GCM")))
    theirs = AccessTokenEncryption.from_jwk_text(_jwk_text(generate_key("dir", enc="A256GCM")))
    signing = Key.generate("EdDSA", kid="k1")
    token, _ = _issue(_issuer(ours), signing)
    with pytest.raises(JoseError):
        _issuer(theirs).verifier(signing.public_key(), ["EdDSA"]).decode(token)


def test_the_inner_signature_is_still_checked() -> None:
    encryption = AccessTokenEncryption.from_jwk_text(_jwk_text(generate_key("dir", enc="A256GCM")))
    token, _ = _issue(_issuer(encryption), Key.generate("EdDSA", kid="k1"))
    stranger = Key.generate("EdDSA", kid="k1")
    with pytest.raises(JoseError):
        _issuer(encryption).verifier(stranger.public_key(), ["EdDSA"]).decode(token)


def test_the_outer_header_is_all_that_can_be_read_without_the_key() -> None:
    encryption = AccessTokenEncryption.from_jwk_text(_jwk_text(generate_key("dir", enc="A256GCM")))
    token, _ = _issue(_issuer(encryption), Key.generate("EdDSA", kid="k1"))
    with pytest.raises(JoseError):
        decode_unverified(token)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"kty": "oct", "k": "c2hvcnQ"}',
        _jwk_text(generate_key("ECDH-ES+A256KW", crv="P-256"), private=False),
        _jwk_text(Key.generate("EdDSA")),
        _jwk_text(generate_key("dir", enc="A256GCM"), alg="PBES2-HS256+A128KW"),
    ],
    ids=["not-json", "not-object", "short-oct", "public-only", "ed25519", "pbes2"],
)
def test_unusable_keys_are_refused_without_echo(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        AccessTokenEncryption.from_jwk_text(text)
    assert "GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY" in str(caught.value)
    assert text not in str(caught.value)
