"""The signing keyring: secret mode, generated keys, retiring keys, encryption at rest."""

from __future__ import annotations

import json
import secrets

import pytest

from gatepass.errors import ConfigError
from gatepass.jose import KeySet, decode
from gatepass.store.records import SigningKey
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.keyring import (
    SIGNING_ALGORITHMS,
    Keyring,
    is_sealed,
    new_signing_record,
    open_private_jwk,
    seal_private_jwk,
)

NOW = 1_800_000_000.0
ISSUER = AccessTokenIssuer(issuer="https://auth.example.com", audience="api", ttl=900)
KEK = secrets.token_urlsafe(32)


def _retire(record: SigningKey, retire_at: float) -> SigningKey:
    return SigningKey(
        kid=record.kid,
        alg=record.alg,
        private_jwk=record.private_jwk,
        public_jwk=record.public_jwk,
        status="retiring",
        created_at=record.created_at,
        retire_at=retire_at,
    )


def test_secret_mode_is_hs256_without_public_keys() -> None:
    ring = Keyring.from_secret(secrets.token_urlsafe(32))
    assert ring.algorithms == ("HS256",)
    assert ring.public_jwks == {"keys": []}
    token, _ = ISSUER.issue(
        ring.active, user_id="u", email="e@x", role="user", session_id="s", now=NOW
    )
    assert (
        decode(token, ring.verifying, algorithms=["HS256"], audience="api", clock=lambda: NOW)[
            "sub"
        ]
        == "u"
    )


def test_generated_key_round_trip_and_public_jwks() -> None:
    key, record = new_signing_record(NOW, KEK)
    ring = Keyring.from_records([record], KEK, NOW)
    assert ring.active.kid == key.kid
    assert ring.algorithms == ("ES256",)  # DEFAULT_SIGNING_ALG
    (published,) = ring.public_jwks["keys"]
    assert "d" not in published
    assert published["kid"] == key.kid
    assert "d" in json.loads(open_private_jwk(record.private_jwk, KEK, record.kid))


def test_retiring_key_verifies_until_retired() -> None:
    old_key, old = new_signing_record(NOW, KEK)
    _, new = new_signing_record(NOW, KEK)
    token, _ = ISSUER.issue(old_key, user_id="u", email="e@x", role="user", session_id="s", now=NOW)
    ring = Keyring.from_records([_retire(old, NOW + 900), new], KEK, NOW + 10)
    assert ring.active.kid == new.kid
    assert len(ring.public_jwks["keys"]) == 2
    assert (
        decode(token, ring.verifying, algorithms=["ES256"], audience="api", clock=lambda: NOW + 10)[
            "sub"
        ]
        == "u"
    )
    later = Keyring.from_records([_retire(old, NOW + 900), new], KEK, NOW + 901)
    assert [k["kid"] for k in later.public_jwks["keys"]] == [new.kid]
    assert isinstance(later.verifying, KeySet)


@pytest.mark.parametrize("alg", SIGNING_ALGORITHMS)
def test_each_signing_algorithm_makes_a_key_for_it(alg: str) -> None:
    key, record = new_signing_record(NOW, KEK, alg)
    assert record.alg == key.alg == alg
    (published,) = Keyring.from_records([record], KEK, NOW).public_jwks["keys"]
    assert published["alg"] == alg
    assert published["use"] == "sig"


def test_only_the_supported_algorithms_make_keys() -> None:
    for alg in ("HS256", "ES512", "none", "es256"):
        with pytest.raises(ConfigError, match="must be one of"):
            new_signing_record(NOW, KEK, alg)


def test_keys_of_several_algorithms_verify_side_by_side() -> None:
    """A rotation from EdDSA to RS256: the EdDSA token verifies, each key with its own alg."""
    old_key, old = new_signing_record(NOW, KEK, "EdDSA")
    new_key, new = new_signing_record(NOW, KEK, "RS256")
    ring = Keyring.from_records([_retire(old, NOW + 900), new], KEK, NOW + 10)
    assert ring.active.kid == new_key.kid
    assert ring.algorithms == ("EdDSA", "RS256")
    for key in (old_key, new_key):
        token, _ = ISSUER.issue(key, user_id="u", email="e@x", role="user", session_id="s", now=NOW)
        claims = decode(
            token, ring.verifying, algorithms=ring.algorithms, audience="api", clock=lambda: NOW
        )
        assert claims["sub"] == "u"


def test_exactly_one_active_key() -> None:
    _, a = new_signing_record(NOW, KEK)
    _, b = new_signing_record(NOW, KEK)
    with pytest.raises(ConfigError):
        Keyring.from_records([a, b], KEK, NOW)
    with pytest.raises(ConfigError):
        Keyring.from_records([], KEK, NOW)


def test_private_keys_encrypted_at_rest() -> None:
    kek = secrets.token_urlsafe(32)
    key, record = new_signing_record(NOW, kek)
    assert record.private_jwk.startswith("enc:v1:")
    assert json.loads(record.public_jwk)["x"] not in record.private_jwk
    assert Keyring.from_records([record], kek, NOW).active.kid == key.kid
    with pytest.raises(ConfigError):
        Keyring.from_records([record], None, NOW)
    with pytest.raises(ConfigError):
        Keyring.from_records([record], secrets.token_urlsafe(32), NOW)


def test_sealed_jwk_bound_to_its_kid() -> None:
    kek = secrets.token_urlsafe(32)
    sealed = seal_private_jwk('{"k":"v"}', kek, "kid-1")
    assert open_private_jwk(sealed, kek, "kid-1") == '{"k":"v"}'
    with pytest.raises(ConfigError):
        open_private_jwk(sealed, kek, "kid-2")


def test_plain_rows_from_before_sealing_still_open() -> None:
    key, record = new_signing_record(NOW, KEK)
    plain = open_private_jwk(record.private_jwk, KEK, record.kid)
    assert is_sealed(record.private_jwk)
    assert not is_sealed(plain)
    old = SigningKey(
        kid=record.kid,
        alg=record.alg,
        private_jwk=plain,
        public_jwk=record.public_jwk,
        status="active",
        created_at=NOW,
    )
    assert open_private_jwk(plain, KEK, record.kid) == plain
    assert Keyring.from_records([old], KEK, NOW).active.kid == key.kid


@pytest.mark.parametrize("damaged", ["enc:v1:!!!", "enc:v1:", "enc:v1:AAAA"])
def test_a_damaged_sealed_value_is_a_config_error(damaged: str) -> None:
    with pytest.raises(ConfigError, match="does not open"):
        open_private_jwk(damaged, KEK, "kid-1")
