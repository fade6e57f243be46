"""JWK import and export (gatepass.jose.jwk): members, thumbprints, and malformed or unsafe JWKs."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from gatepass.errors import InvalidKeyError
from gatepass.jose import Key, jws
from gatepass.jose.jwk import KNOWN_KTY, export_members, public_ops, read_jwk, thumbprint_of
from tests.jose.keyhelpers import PRIVATE_MEMBERS, RSA_2048, b64, b64int, rsa_jwk

SIGNING_ALGS = ["HS256", "HS384", "HS512", "RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"]


def rfc7638(jwk: dict[str, Any]) -> str:
    members = {"oct": "k kty", "RSA": "e kty n", "EC": "crv kty x y", "OKP": "crv kty x"}
    required = {m: jwk[m] for m in members[jwk["kty"]].split()}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
    return b64(hashlib.sha256(canonical).digest())


@pytest.mark.parametrize("alg", SIGNING_ALGS)
def test_generate_export_import_round_trip(alg: str) -> None:
    key = Key.generate(alg)
    assert key.alg == alg
    assert key.is_private
    private = key.export_jwk(private=True)
    again = Key.import_jwk(private)
    assert again.export_jwk(private=True) == private
    assert again.kid == key.kid
    token = jws.sign(b"x", again, alg)
    if key.kty == "oct":
        with pytest.raises(InvalidKeyError):
            key.export_jwk()
        assert jws.verify(token, key, algorithms=[alg])[1] == b"x"
        return
    public = key.export_jwk()
    assert not PRIVATE_MEMBERS & set(public)
    assert public == key.public_key().export_jwk()
    imported = Key.import_jwk(public)
    assert not imported.is_private
    assert jws.verify(token, imported, algorithms=[alg])[1] == b"x"
    assert key.thumbprint() == imported.thumbprint() == rfc7638(public)


def test_thumbprint_hash_choice() -> None:
    key = Key.generate("ES256")
    jwk = key.export_jwk()
    required = {m: jwk[m] for m in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
    assert key.thumbprint("sha384") == b64(hashlib.sha384(canonical).digest())


@pytest.mark.parametrize("e", [1, 2, 4, 65536, 0, 2**65 + 1, 2**3000 + 1])
def test_unsafe_rsa_exponent_refused(e: int) -> None:
    jwk = {**rsa_jwk(RSA_2048.public_key()), "e": b64int(e)}
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(jwk)


def test_rsa_modulus_over_16384_bits_refused() -> None:
    # OpenSSL will not verify with it, and an odd 120,000-bit "modulus" in a
    # JWKS only costs every import time; the exponent is capped at 64 bits too.
    huge = {"kty": "RSA", "n": b64int((1 << 16400) | 0xFFFF), "e": b64int(65537)}
    with pytest.raises(InvalidKeyError, match="at most 16384"):
        Key.import_jwk(huge)


def test_rsa_private_parts_must_match() -> None:
    jwk = Key.from_crypto(RSA_2048).export_jwk(private=True)
    other = Key.generate("RS256").export_jwk(private=True)
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**jwk, "d": other["d"]})
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**jwk, "oth": [{"r": "AQ", "d": "AQ", "t": "AQ"}]})


def test_ec_point_off_the_curve_refused() -> None:
    jwk = Key.generate("ES256").export_jwk(private=True)
    y = base64.urlsafe_b64decode(jwk["y"] + "=")
    bad_y = b64(y[:-1] + bytes([y[-1] ^ 1]))
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**_public(jwk), "y": bad_y})
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**jwk, "y": bad_y})


def _public(jwk: dict[str, Any]) -> dict[str, Any]:
    return {m: v for m, v in jwk.items() if m not in PRIVATE_MEMBERS}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"crv": "P-384"}, id="wrong-curve"),
        pytest.param({"crv": "secp256k1"}, id="unknown-curve"),
        pytest.param({"x": "AAAA"}, id="short-x"),
        pytest.param({"y": None}, id="missing-y"),
        pytest.param({"x": 123}, id="numeric-x"),
        pytest.param({"kty": "RSA"}, id="wrong-kty"),
        pytest.param({"kty": "XYZ"}, id="unknown-kty"),
        pytest.param({"kty": None}, id="no-kty"),
        pytest.param({"kid": 7}, id="numeric-kid"),
        pytest.param({"alg": ["ES256"]}, id="list-alg"),
        pytest.param({"use": 1}, id="numeric-use"),
        pytest.param({"key_ops": "verify"}, id="string-key-ops"),
        pytest.param({"key_ops": ["verify", "verify"]}, id="duplicate-key-ops"),
        pytest.param({"x": "AAAA=="}, id="padded-x"),
    ],
)
def test_malformed_ec_jwk_refused(change: dict[str, Any]) -> None:
    jwk = Key.generate("ES256").export_jwk()
    jwk.update(change)
    jwk = {m: v for m, v in jwk.items() if v is not None}
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(jwk)


def test_ec_and_okp_private_parts_must_match() -> None:
    ec_jwk = Key.generate("ES256").export_jwk(private=True)
    other = Key.generate("ES256").export_jwk(private=True)
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**ec_jwk, "d": other["d"]})
    ed_jwk = Key.generate("EdDSA").export_jwk(private=True)
    other = Key.generate("EdDSA").export_jwk(private=True)
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**ed_jwk, "d": other["d"]})
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**ed_jwk, "x": "AAAA"})


@pytest.mark.parametrize("jwk", [None, [], "key", 1])
def test_non_object_jwk_refused(jwk: Any) -> None:
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(jwk)


# -- the module's functions on their own ---------------------------------------------


def test_read_jwk_returns_material_and_metadata() -> None:
    jwk = {**Key.generate("ES256").export_jwk(), "kid": "k1", "use": "sig", "key_ops": ["verify"]}
    material, metadata = read_jwk(jwk)
    assert (material.kty, material.crv, material.is_private) == ("EC", "P-256", False)
    assert metadata == ("k1", "ES256", "sig", ["verify"])
    _, bare = read_jwk({"kty": "oct", "k": b64(b"s" * 32)})
    assert bare == (None, None, None, None)


@pytest.mark.parametrize(
    "jwk",
    [
        pytest.param({"kty": "oct", "k": "!!!"}, id="bad-base64"),
        pytest.param({"kty": "oct"}, id="missing-k"),
        pytest.param({"kty": "RSA", "n": "AQAB"}, id="missing-e"),
        pytest.param({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, id="short-okp"),
        pytest.param({"kty": "oct", "k": b64(b"s" * 32), "kid": 1}, id="numeric-kid"),
    ],
)
def test_read_jwk_raises_invalid_key_error_only(jwk: dict[str, Any]) -> None:
    with pytest.raises(InvalidKeyError):
        read_jwk(jwk)


def test_export_members_appends_present_metadata_in_order() -> None:
    members = {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}
    bare = export_members(members, kid="k", alg=None, use=None, key_ops=None)
    assert list(bare) == ["kty", "crv", "x", "y", "kid"]
    full = export_members(members, kid="k", alg="ES256", use="sig", key_ops={"verify", "sign"})
    assert list(full)[-4:] == ["kid", "alg", "use", "key_ops"]
    assert full["key_ops"] == ["sign", "verify"]
    assert members == {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}  # not changed


def test_public_ops_maps_private_operations_to_their_counterparts() -> None:
    assert public_ops(["sign", "decrypt", "unwrapKey"]) == {"verify", "encrypt", "wrapKey"}
    assert public_ops(["verify", "deriveKey"]) == {"verify", "deriveKey"}
    assert public_ops([]) == set()


def test_thumbprint_of_uses_only_the_required_members() -> None:
    jwk = Key.generate("ES256").export_jwk()
    expected = rfc7638(jwk)
    assert thumbprint_of("EC", jwk) == expected
    assert thumbprint_of("EC", {**jwk, "kid": "other", "use": "enc"}) == expected


def test_known_key_types() -> None:
    assert frozenset({"oct", "RSA", "EC", "OKP"}) == KNOWN_KTY
