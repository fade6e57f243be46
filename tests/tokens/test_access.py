"""Access tokens: the claims issued and the strict verifier that reads them."""

from __future__ import annotations

import time

import pytest

from gatepass.errors import (
    AlgorithmNotAllowedError,
    ClaimError,
    MissingClaimError,
    TokenExpiredError,
    TokenTooLargeError,
)
from gatepass.jose import Key, KeySet, decode_unverified, encode
from gatepass.tokens.access import ACCESS_TOKEN_TYPE, AccessTokenIssuer

ISSUER = AccessTokenIssuer(issuer="https://auth.example.com", audience="api", ttl=900)


def _issue(key: Key, now: float | None = None) -> tuple[str, dict[str, object]]:
    return ISSUER.issue(
        key,
        user_id="u1",
        email="ada@example.com",
        role="admin",
        session_id="s1",
        now=time.time() if now is None else now,
    )


def test_claims_and_header() -> None:
    key = Key.generate("EdDSA")
    token, claims = _issue(key, now=1_800_000_000)
    header, body = decode_unverified(token)
    assert header == {"alg": "EdDSA", "typ": ACCESS_TOKEN_TYPE, "kid": key.kid}
    assert body == claims
    assert set(body) == {
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "jti",
        "sid",
        "email",
        "email_verified",
        "role",
    }
    assert body["email_verified"] is False
    assert body["exp"] == 1_800_000_000 + 900
    assert body["iat"] == 1_800_000_000


def test_jti_is_unique() -> None:
    key = Key.generate("HS256")
    assert len({_issue(key)[1]["jti"] for _ in range(50)}) == 50


def test_verifier_accepts_its_own_tokens() -> None:
    key = Key.generate("EdDSA")
    token, claims = _issue(key)
    verifier = ISSUER.verifier(KeySet([key.public_key()]), ["EdDSA"])
    assert verifier.decode(token) == claims


def test_verifier_refuses_other_token_types_issuers_and_audiences() -> None:
    key = Key.generate("HS256")
    verifier = ISSUER.verifier(key, ["HS256"])
    base = {
        "iss": ISSUER.issuer,
        "sub": "u1",
        "aud": "api",
        "exp": time.time() + 60,
        "iat": int(time.time()),
        "jti": "j",
        "sid": "s",
    }
    with pytest.raises(ClaimError):  # a plain JWT (typ JWT), e.g. an ID token
        verifier.decode(encode(base, key))
    for change in ({"iss": "https://evil.example"}, {"aud": "other-api"}):
        token = encode({**base, **change}, key, headers={"typ": ACCESS_TOKEN_TYPE})
        with pytest.raises(ClaimError):
            verifier.decode(token)
    without_sid = {k: v for k, v in base.items() if k != "sid"}
    with pytest.raises(MissingClaimError):
        verifier.decode(encode(without_sid, key, headers={"typ": ACCESS_TOKEN_TYPE}))


def test_expired_and_wrong_algorithm_refused() -> None:
    key = Key.generate("HS256")
    token, _ = _issue(key, now=time.time() - 3600)
    with pytest.raises(TokenExpiredError):
        ISSUER.verifier(key, ["HS256"]).decode(token)
    fresh, _ = _issue(key)
    with pytest.raises(AlgorithmNotAllowedError):
        ISSUER.verifier(key, ["EdDSA"]).decode(fresh)


def test_token_size_cap() -> None:
    key = Key.generate("HS256")
    token, _ = _issue(key)
    with pytest.raises(TokenTooLargeError):
        ISSUER.verifier(key, ["HS256"], max_token_bytes=len(token) - 1).decode(token)
