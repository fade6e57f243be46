"""KeySet (gatepass.jose.keyset): selection, JWKS import and export, and the sets it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from gatepass.errors import InvalidKeyError, KeyNotFoundError
from gatepass.jose import Key, KeySet, jws
from tests.jose.keyhelpers import PRIVATE_MEMBERS, RSA_1024, b64, rsa_jwk


def test_key_set_refuses_duplicate_kids() -> None:
    a = Key.from_secret(b"a" * 32, kid="same")
    b = Key.from_secret(b"b" * 32, kid="same")
    with pytest.raises(InvalidKeyError):
        KeySet([a, b])
    jwks = {"keys": [a.export_jwk(private=True), b.export_jwk(private=True)]}
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks(jwks)


def test_key_set_refuses_mixing_secret_and_public_keys() -> None:
    secret = Key.from_secret(b"a" * 32, kid="s")
    public = Key.generate("ES256", kid="p").public_key()
    with pytest.raises(InvalidKeyError):
        KeySet([secret, public])
    with pytest.raises(InvalidKeyError):
        KeySet([public, secret])


@pytest.mark.parametrize("jwks", [None, {}, {"keys": None}, {"keys": {}}, [], {"keys": "x"}])
def test_malformed_jwks_refused(jwks: Any) -> None:
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks(jwks)


def test_key_set_refuses_an_unsafe_member() -> None:
    good = Key.generate("RS256", kid="good").export_jwk()
    weak = {**rsa_jwk(RSA_1024.public_key()), "kid": "weak"}
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks({"keys": [good, weak]})


def test_key_set_select_get_export() -> None:
    rs = Key.generate("RS256", kid="rs")
    es = Key.generate("ES256", kid="es")
    ed = Key.from_crypto(Key.generate("EdDSA").crypto, kid="ed", use="sig")
    keys = KeySet([rs, es, ed])
    assert len(keys) == 3
    assert list(keys) == [rs, es, ed]
    assert keys.get("es") is es
    with pytest.raises(KeyNotFoundError):
        keys.get("missing")
    assert keys.select(kid="rs") == [rs]
    assert keys.select(kty="EC") == [es]
    assert keys.select(alg="ES256") == [es, ed]  # ed names no alg
    assert keys.select(use="sig") == [rs, es, ed]
    assert keys.select(use="enc") == []
    assert keys.select(kid="rs", kty="EC") == []
    exported = keys.export_jwks()
    assert [k["kid"] for k in exported["keys"]] == ["rs", "es", "ed"]
    assert not any(PRIVATE_MEMBERS & set(k) for k in exported["keys"])
    private = keys.export_jwks(private=True)
    assert all("d" in k for k in private["keys"])
    again = KeySet.import_jwks(exported)
    assert [k.is_private for k in again] == [False, False, False]
    token = jws.sign(b"x", es, "ES256")
    assert jws.verify(token, again, algorithms=["ES256"])[1] == b"x"


def test_key_set_select_by_key_op() -> None:
    jwk = Key.generate("ES256").export_jwk()
    a = Key.import_jwk({**jwk, "kid": "a", "key_ops": ["verify"]})
    b = Key.import_jwk({**Key.generate("ES256").export_jwk(), "kid": "b"})
    keys = KeySet([a, b])
    assert keys.select(key_op="verify") == [a, b]
    assert keys.select(key_op="encrypt") == [b]


def test_secret_key_set_export_needs_private() -> None:
    keys = KeySet([Key.from_secret(b"a" * 32, kid="a")])
    with pytest.raises(InvalidKeyError):
        keys.export_jwks()
    assert keys.export_jwks(private=True)["keys"][0]["k"] == b64(b"a" * 32)


def test_key_set_takes_keys_only() -> None:
    with pytest.raises((TypeError, InvalidKeyError)):
        KeySet([{"kty": "oct"}])  # type: ignore[list-item]


def test_import_usable_jwks_skips_what_it_cannot_use_and_counts_it() -> None:
    ours = Key.generate("ES256").public_key()
    jwks = {
        "keys": [
            {"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "quantum"},
            "not an object",
            ours.export_jwk(),
        ]
    }
    keys, skipped = KeySet.import_usable_jwks(jwks)
    assert [k.kid for k in keys] == [ours.kid]
    assert skipped == 4
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks(jwks)  # the strict import still refuses the set
    with pytest.raises(InvalidKeyError):
        KeySet.import_usable_jwks({"keys": "nope"})
