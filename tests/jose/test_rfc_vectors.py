"""Examples from the RFCs: 7515 App. A and E, 7520 §3 and §4.1-4.4, 7638 §3.1, 8037.

Expected thumbprints for the RFC 7520 keys are computed here from RFC 7638's
definition with the standard library, independently of gatepass, and checked
against jwcrypto.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from jwcrypto import jwk as jwcrypto_jwk

from gatepass.errors import JoseError, UnsupportedHeaderError
from gatepass.jose import Key, KeySet, jws
from gatepass.jose.jwt import decode
from tests.conftest import VECTORS

DATA = Path(__file__).parent / "data"
COOKBOOK = VECTORS / "jose-cookbook"
APPENDIX_A: dict[str, Any] = json.loads((DATA / "rfc7515_appendix_a.json").read_text())["examples"]
THUMBPRINT_MEMBERS = {
    "oct": ("k", "kty"),
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _rfc7638(jwk: dict[str, Any]) -> str:
    required = {m: jwk[m] for m in THUMBPRINT_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
    return _b64(hashlib.sha256(canonical).digest())


def _cookbook(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((COOKBOOK / path).read_text(encoding="utf-8"))
    return data


# -- RFC 7520 §3: keys -----------------------------------------------------------

JWK_FILES = sorted(p.name for p in (COOKBOOK / "jwk").glob("*.json"))


def test_every_rfc7520_key_is_generated() -> None:
    assert len(JWK_FILES) == 6


@pytest.mark.parametrize("name", JWK_FILES)
def test_rfc7520_key_import_export_and_thumbprint(name: str) -> None:
    jwk = _cookbook(f"jwk/{name}")
    key = Key.import_jwk(jwk)
    assert key.kty == jwk["kty"]
    assert key.kid == jwk["kid"]
    assert key.use == jwk["use"]
    assert key.alg == jwk.get("alg")
    private = key.kty == "oct" or "d" in jwk
    assert key.is_private is private
    assert key.export_jwk(private=private) == jwk
    expected = _rfc7638(jwk)
    assert expected == jwcrypto_jwk.JWK(**jwk).thumbprint()
    assert key.thumbprint() == expected
    if private and key.kty != "oct":
        public = key.public_key()
        assert not public.is_private
        assert public.export_jwk() == {m: v for m, v in jwk.items() if m in public.export_jwk()}
        assert set(public.export_jwk()) == set(jwk) - {"d", "p", "q", "dp", "dq", "qi"}
        assert public.thumbprint() == expected
        assert key.export_jwk() == public.export_jwk()


# -- RFC 7520 §4.1-4.4: signatures ----------------------------------------------

JWS_FILES = sorted(
    p.name for p in (COOKBOOK / "jws").glob("*.json") if p.name[:3] in ("4_1", "4_2", "4_3", "4_4")
)


def test_every_rfc7520_signature_is_generated() -> None:
    assert len(JWS_FILES) == 4


@pytest.mark.parametrize("name", JWS_FILES)
def test_rfc7520_signature_verifies(name: str) -> None:
    vector = _cookbook(f"jws/{name}")
    key = Key.import_jwk(vector["input"]["key"])
    alg = vector["input"]["alg"]
    compact = vector["output"]["compact"]
    verifier = key if key.kty == "oct" else key.public_key()
    header, payload = jws.verify(compact, verifier, algorithms=[alg])
    assert payload == vector["input"]["payload"].encode("utf-8")
    assert header == vector["signing"]["protected"]
    # The same through a key set, selected by the token's kid.
    header, payload = jws.verify(compact, KeySet([verifier]), algorithms=[alg])
    assert payload == vector["input"]["payload"].encode("utf-8")


@pytest.mark.parametrize("name", JWS_FILES)
def test_rfc7520_signature_tampered_fails(name: str) -> None:
    vector = _cookbook(f"jws/{name}")
    key = Key.import_jwk(vector["input"]["key"])
    h64, _p64, s64 = vector["output"]["compact"].split(".")
    tampered = f"{h64}.{_b64(b'It is a dangerous business')}.{s64}"
    with pytest.raises(JoseError):
        jws.verify(tampered, key, algorithms=[vector["input"]["alg"]])


@pytest.mark.parametrize("name", [n for n in JWS_FILES if n[:3] in ("4_1", "4_4")])
def test_rfc7520_deterministic_signature_is_reproduced(name: str) -> None:
    vector = _cookbook(f"jws/{name}")
    assert vector["input"]["alg"] in ("RS256", "HS256")
    key = Key.import_jwk(vector["input"]["key"])
    token = jws.sign(vector["input"]["payload"].encode("utf-8"), key, vector["input"]["alg"])
    assert token == vector["output"]["compact"]


# -- RFC 8037: Ed25519 -------------------------------------------------------------


def test_rfc8037_ed25519_sign_verify_thumbprint() -> None:
    vector = _cookbook("curve25519/jws.json")
    key = Key.import_jwk(vector["input"]["key"])
    payload = vector["input"]["payload"].encode("utf-8")
    token = jws.sign(payload, key, "EdDSA")
    assert token == vector["output"]["compact"]
    assert jws.verify(token, key.public_key(), algorithms=["EdDSA"]) == ({"alg": "EdDSA"}, payload)
    # RFC 8037 App. A.3.
    assert key.thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    assert key.public_key().thumbprint() == _rfc7638(vector["input"]["key"])


def test_rfc8037_fully_specified_ed25519_name() -> None:
    vector = _cookbook("curve25519/jws.json")
    key = Key.import_jwk(vector["input"]["key"])
    payload = vector["input"]["payload"].encode("utf-8")
    token = jws.sign(payload, key, "Ed25519")
    h64, _, s64 = token.split(".")
    assert json.loads(_unb64(h64)) == {"alg": "Ed25519"}
    assert len(_unb64(s64)) == 64
    assert jws.verify(token, key.public_key(), algorithms=["Ed25519"])[1] == payload
    with pytest.raises(JoseError):
        jws.verify(token, key.public_key(), algorithms=["EdDSA"])


# -- RFC 7515 App. A.1-A.4 ---------------------------------------------------------


@pytest.mark.parametrize("section", sorted(APPENDIX_A))
def test_rfc7515_appendix_a_jws(section: str) -> None:
    example = APPENDIX_A[section]
    key = Key.import_jwk(example["jwk"])
    verifier = key if key.kty == "oct" else key.public_key()
    header, payload = jws.verify(example["compact"], verifier, algorithms=[example["alg"]])
    assert header == json.loads(example["protected"])
    assert payload == example["payload"].encode("utf-8")
    other = [a for a in ("HS256", "RS256", "ES256", "ES512") if a != example["alg"]]
    with pytest.raises(JoseError):
        jws.verify(example["compact"], verifier, algorithms=other)


@pytest.mark.parametrize("section", ["A.1", "A.2", "A.3"])
def test_rfc7515_appendix_a_jwt_with_injected_clock(section: str) -> None:
    example = APPENDIX_A[section]
    key = Key.import_jwk(example["jwk"])
    claims = json.loads(example["payload"])
    exp = claims["exp"]
    before = decode(
        example["compact"], key, algorithms=[example["alg"]], issuer="joe", clock=lambda: exp - 60
    )
    assert before == claims
    with pytest.raises(JoseError):  # the RFC's token expired in 2011
        decode(example["compact"], key, algorithms=[example["alg"]], issuer="joe")


def test_rfc7515_appendix_a1_hmac_matches_the_standard_library() -> None:
    example = APPENDIX_A["A.1"]
    secret = _unb64(example["jwk"]["k"])
    h64, p64, s64 = example["compact"].split(".")
    assert _unb64(s64) == hmac.digest(secret, f"{h64}.{p64}".encode(), "sha256")


# -- RFC 7515 App. E: crit -------------------------------------------------------

SECRET = bytes(range(32))
UNDEFINED = "http://example.invalid/UNDEFINED"


def _hs256(header: dict[str, Any], payload: bytes = b"{}") -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(payload)}"
    return f"{signing_input}.{_b64(hmac.digest(SECRET, signing_input.encode(), 'sha256'))}"


def test_rfc7515_appendix_e_unknown_crit_is_rejected() -> None:
    token = _hs256({"alg": "HS256", "crit": [UNDEFINED], UNDEFINED: True})
    key = Key.from_secret(SECRET)
    with pytest.raises(UnsupportedHeaderError):
        jws.verify(token, key, algorithms=["HS256"])
    # A caller that declares it understands the extension gets the token.
    header, _ = jws.verify(token, key, algorithms=["HS256"], crit=[UNDEFINED])
    assert header[UNDEFINED] is True


def test_rfc7515_appendix_e_literal_example_is_rejected() -> None:
    header = '{"alg":"none",\r\n "crit":["http://example.invalid/UNDEFINED"],\r\n'
    header += ' "http://example.invalid/UNDEFINED":true\r\n}'
    token = f"{_b64(header.encode())}.{_b64(b'payload')}."
    with pytest.raises(JoseError):
        jws.verify(token, Key.from_secret(SECRET), algorithms=["HS256"], crit=[UNDEFINED])


# -- RFC 7638 §3.1 ---------------------------------------------------------------


def test_rfc7638_thumbprint() -> None:
    data = json.loads((DATA / "rfc7638.json").read_text())
    key = Key.import_jwk(data["jwk"])
    assert key.thumbprint() == data["thumbprint"] == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert key.thumbprint("sha256") == _rfc7638(data["jwk"])
    assert key.kid == "2011-04-29"  # an explicit kid wins over the thumbprint


def test_default_kid_is_the_thumbprint() -> None:
    data = json.loads((DATA / "rfc7638.json").read_text())
    jwk = {m: v for m, v in data["jwk"].items() if m not in ("kid", "alg")}
    assert Key.import_jwk(jwk).kid == data["thumbprint"]
