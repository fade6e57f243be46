"""One named regression per class of advisory other JOSE libraries have shipped.

Each test builds the attack token itself and asserts the specific refusal, so a
change that reopens the hole fails here by name (see docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gatepass.errors import (
    AlgorithmNotAllowedError,
    BadSignatureError,
    ClaimError,
    GatepassError,
    InvalidKeyError,
    KeyNotFoundError,
    MalformedTokenError,
    SensitiveClaimError,
    TokenTooLargeError,
    UnsupportedHeaderError,
)
from gatepass.jose import Key, KeySet, decode, encode, jws

FUTURE = int(time.time()) + 3600


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header: dict[str, Any], payload: dict[str, Any], sign: Any = None) -> str:
    """A compact token with any header; ``sign`` maps the signing input to a signature."""
    h64 = b64(json.dumps(header, separators=(",", ":")).encode())
    p64 = b64(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = f"{h64}.{p64}"
    signature = b64(sign(signing_input.encode())) if sign is not None else ""
    return f"{signing_input}.{signature}"


# --- HMAC with a public key (CVE-2017-11424, CVE-2022-29217) ------------------


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_hmac_with_public_key_cve_2022_29217(alg: str) -> None:
    """An attacker MACs a token with the server's public PEM as the HMAC secret."""
    public_pem = Key.generate(alg).export_pem()
    forged = compact(
        {"alg": "HS256", "typ": "JWT"},
        {"sub": "admin", "exp": FUTURE},
        lambda data: hmac.digest(public_pem, data, "sha256"),
    )
    with pytest.raises(AlgorithmNotAllowedError) as raised:
        decode(forged, public_pem, algorithms=["HS256", alg])
    assert raised.value.code == "alg_not_allowed"
    with pytest.raises(InvalidKeyError):
        Key.from_secret(public_pem)


def test_hmac_with_public_key_cve_2017_11424_ssh_and_jwk_text() -> None:
    for text in (
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbcdefghijklmnopqrstuvwxyz0123456789ABCD user@host",
        json.dumps(Key.generate("ES256").export_jwk()).encode(),
    ):
        with pytest.raises(InvalidKeyError):
            Key.from_secret(text)


# --- alg none -----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["none", "None", "NONE", "nOnE", " none", "none "])
@pytest.mark.parametrize("signature", [None, b"", b"x" * 32])
def test_alg_none_any_case(spelling: str, signature: bytes | None) -> None:
    key = Key.generate("HS256")
    token = compact(
        {"alg": spelling},
        {"sub": "admin", "exp": FUTURE},
        None if signature is None else (lambda _: signature),
    )
    with pytest.raises(AlgorithmNotAllowedError) as raised:
        decode(token, key, algorithms=["HS256"])
    assert raised.value.code == "alg_not_allowed"
    with pytest.raises(ValueError, match="Unsupported algorithm"):
        decode(token, key, algorithms=[spelling])


# --- ignored crit (CVE-2025-59420) ----------------------------------------------


def test_crit_unknown_extension_rejected_cve_2025_59420() -> None:
    key = Key.generate("HS256")
    assert key.secret is not None
    secret = key.secret
    token = compact(
        {"alg": "HS256", "crit": ["exp"], "exp": 0},
        {"sub": "admin", "exp": FUTURE},
        lambda data: hmac.digest(secret, data, "sha256"),
    )
    with pytest.raises(UnsupportedHeaderError):
        decode(token, key, algorithms=["HS256"])
    # Declared understood by the caller, the same token passes the crit check.
    assert decode(token, key, algorithms=["HS256"], crit=["exp"])["sub"] == "admin"


# --- embedded jwk trusted (CVE-2026-27962) ------------------------------------


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c"])
def test_embedded_jwk_never_trusted_cve_2026_27962(member: str) -> None:
    real = Key.generate("ES256", kid="server")
    attacker = Key.generate("ES256", kid="server")
    embedded: Any = {
        "jwk": attacker.export_jwk(),
        "jku": "https://attacker.example/jwks.json",
        "x5u": "https://attacker.example/cert.pem",
        "x5c": ["MIIB"],
    }[member]
    token = jws.sign(
        json.dumps({"sub": "admin", "exp": FUTURE}).encode(),
        attacker,
        headers={member: embedded},
    )
    with pytest.raises(BadSignatureError):
        decode(token, KeySet([real.public_key()]), algorithms=["ES256"])


# --- partial iss match (CVE-2024-53861) ---------------------------------------


@pytest.mark.parametrize("iss", ["abc", "ab", "abcd", "b", ["abc"], "", None, 1])
def test_partial_iss_match_cve_2024_53861(iss: Any) -> None:
    key = Key.generate("HS256")
    if not isinstance(iss, str):  # encode refuses these (StringOrURI): sign them by hand
        with pytest.raises(TypeError):
            encode({"iss": iss, "exp": FUTURE}, key)
    body = json.dumps({"iss": iss, "exp": FUTURE}).encode()
    token = jws.sign(body, key, "HS256", headers={"typ": "JWT"})
    if iss == "abc":
        assert decode(token, key, algorithms=["HS256"], issuer="abc")["iss"] == "abc"
        return
    with pytest.raises(ClaimError) as raised:
        decode(token, key, algorithms=["HS256"], issuer="abc")
    assert raised.value.claim == "iss"


def test_partial_iss_match_issuer_given_as_string_not_sequence() -> None:
    key = Key.generate("HS256")
    token = encode({"iss": "a", "exp": FUTURE}, key)
    with pytest.raises(ClaimError):  # "a" in "abc" must never be the test
        decode(token, key, algorithms=["HS256"], issuer="abc")


# --- empty and short HMAC keys --------------------------------------------------


@pytest.mark.parametrize("secret", [b"", "", b"short", b"x" * 31])
def test_empty_hmac_key(secret: str | bytes) -> None:
    with pytest.raises(InvalidKeyError):
        Key.from_secret(secret)
    token = compact(
        {"alg": "HS256"}, {"exp": FUTURE}, lambda data: hmac.digest(b"", data, "sha256")
    )
    with pytest.raises(InvalidKeyError):
        decode(token, secret, algorithms=["HS256"])


# --- unbounded segments (CVE-2025-61920) --------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "a" * 10_000_000,
        "eyJhbGciOiJIUzI1NiJ9." + "A" * 9000 + ".sig",
        b64(b'{"alg":"HS256","x":"' + b"y" * 2000 + b'"}') + ".e30.sig",
        "eyJhbGciOiJIUzI1NiJ9." + b64(b'{"x":"' + b"y" * 5200 + b'"}') + ".sig",
    ],
    ids=["10MB-token", "9KB-payload-segment", "2KB-header", "5KB-payload"],
)
def test_unbounded_segments_cve_2025_61920(token: str) -> None:
    key = Key.generate("HS256")
    with pytest.raises(TokenTooLargeError):
        decode(token, key, algorithms=["HS256"])


# --- input echoed in errors (CVE-2025-65015) ------------------------------------

MARKER = "ATTACKER<script>MARKER"


def _echo_attempts(key: Key) -> list[str]:
    marker64 = b64(MARKER.encode())
    assert key.secret is not None
    secret = key.secret
    mac = lambda data: hmac.digest(secret, data, "sha256")  # noqa: E731
    return [
        MARKER,
        f"{marker64}.{marker64}.{marker64}",
        compact({"alg": MARKER}, {"exp": FUTURE}),
        compact({"alg": "HS256", "kid": MARKER}, {"exp": FUTURE}),
        compact({"alg": "HS256", "crit": [MARKER], MARKER: 1}, {"exp": FUTURE}, mac),
        compact({"alg": "HS256"}, {"exp": MARKER}, mac),
        compact({"alg": "HS256"}, {"exp": FUTURE, "iss": MARKER}, mac),
        compact({"alg": "HS256"}, {"exp": FUTURE, "aud": MARKER}, mac),
        compact({"alg": "HS256"}, {"exp": FUTURE, "sub": MARKER}, mac) + "x",
        compact({"alg": "HS256"}, {"exp": FUTURE, MARKER: 1}, mac)[:-3] + "!!!",
    ]


def test_errors_never_echo_input_cve_2025_65015() -> None:
    key = Key.generate("HS256", kid="k")
    for token in _echo_attempts(key):
        with pytest.raises(GatepassError) as raised:
            decode(token, KeySet([key]), algorithms=["HS256"], issuer="me", audience="api")
        for text in (str(raised.value), repr(raised.value), raised.value.message):
            assert "ATTACKER" not in text
            assert "script" not in text
            assert token not in text


# --- non-canonical base64 and whitespace --------------------------------------


def test_non_canonical_base64() -> None:
    key = Key.generate("HS256")
    good = encode({"exp": FUTURE}, key)
    h64, p64, s64 = good.split(".")
    # The last character of a 32-byte MAC carries 2 unused bits: set one.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet[alphabet.index(s64[-1]) | 1]
    assert key.secret is not None
    secret = key.secret

    def remac(h: str, p: str) -> str:  # a valid MAC: only the encoding is wrong
        return f"{h}.{p}.{b64(hmac.digest(secret, f'{h}.{p}'.encode(), 'sha256'))}"

    variants = [
        f"{h64}.{p64}.{s64[:-1]}{last}",  # same bytes, non-canonical spelling
        remac(h64 + "=", p64),
        f"{h64}.{p64}.{s64}=",
        f" {good}",
        f"{good}\n",
        remac(h64, p64 + " "),
        remac(h64, p64[:5] + "\n" + p64[5:]),
        f"{h64}.{p64}.{s64[:10]}\n{s64[10:]}",
    ]
    assert base64.urlsafe_b64decode(variants[0].split(".")[2] + "=") == base64.urlsafe_b64decode(
        s64 + "="
    )
    for token in variants:
        with pytest.raises(MalformedTokenError):
            decode(token, key, algorithms=["HS256"])


# --- RSA e = 1 and other unsafe exponents -------------------------------------


@pytest.mark.parametrize("e", [1, 2, 4, 65536])
def test_rsa_e_1(e: int) -> None:
    n = rsa.generate_private_key(65537, 2048).public_key().public_numbers().n
    jwk = {
        "kty": "RSA",
        "n": b64(n.to_bytes(256, "big")),
        "e": b64(e.to_bytes(4, "big").lstrip(b"\0")),
    }
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(jwk)


def test_rsa_short_modulus_refused() -> None:
    small = rsa.generate_private_key(65537, 1024)
    with pytest.raises(InvalidKeyError):
        Key.from_crypto(small)


# --- ECDSA r or s of 0 or n (CVE-2022-21449, "psychic signatures") -------------

_ORDERS = {
    "ES256": (
        ec.SECP256R1(),
        32,
        int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16),
    ),
    "ES384": (
        ec.SECP384R1(),
        48,
        int(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
            16,
        ),
    ),
    # The published decimal value of the P-521 group order (FIPS 186-4 D.1.2.5).
    "ES512": (
        ec.SECP521R1(),
        66,
        int(
            "686479766013060971498190079908139321726943530014330540939446345918554318339765"
            "5394245057746333217197532963996371363321113864768612440380340372808892707005449"
        ),
    ),
}


@pytest.mark.parametrize("alg", sorted(_ORDERS))
@pytest.mark.parametrize(
    "rs", ["0,0", "0,1", "1,0", "n,1", "1,n", "n,n", "n+1,1"], ids=lambda v: v.replace(",", "_")
)
def test_ecdsa_zero_or_order_signatures_cve_2022_21449(alg: str, rs: str) -> None:
    _curve, size, order = _ORDERS[alg]
    key = Key.generate(alg)
    value = {"0": 0, "1": 1, "n": order, "n+1": order + 1}
    r, s = (value[part] for part in rs.split(","))
    token = compact(
        {"alg": alg},
        {"sub": "admin", "exp": FUTURE},
        lambda _: r.to_bytes(size + 1, "big")[-size:] + s.to_bytes(size + 1, "big")[-size:],
    )
    with pytest.raises(BadSignatureError):
        decode(token, key.public_key(), algorithms=[alg])


def test_ecdsa_der_signature_refused() -> None:
    """A DER-encoded signature (what cryptography returns) is not a JWS signature."""
    key = Key.generate("ES256")
    private = key.crypto
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    token = compact(
        {"alg": "ES256"},
        {"exp": FUTURE},
        lambda data: private.sign(data, ec.ECDSA(hashes.SHA256())),
    )
    with pytest.raises(BadSignatureError):
        decode(token, key.public_key(), algorithms=["ES256"])


# --- compact/JSON serialization mixing (CVE-2022-39227) ------------------------


def test_compact_json_mixing_cve_2022_39227() -> None:
    key = Key.generate("HS256")
    good = encode({"sub": "user", "exp": FUTURE}, key)
    h64, p64, s64 = good.split(".")
    forged_payload = b64(json.dumps({"sub": "admin", "exp": FUTURE}).encode())
    attempts = [
        json.dumps({"protected": h64, "payload": p64, "signature": s64}),
        json.dumps(
            {"payload": forged_payload, "signatures": [{"protected": h64, "signature": s64}]}
        ),
        good + json.dumps({"payload": forged_payload}),
        '{"' + good + '": 1}',
        f"{h64}.{forged_payload}.{s64}.{p64}",
    ]
    for token in attempts:
        with pytest.raises(MalformedTokenError):
            decode(token, key, algorithms=["HS256"])


# --- a KeySet never falls back to an unrelated key ---------------------------


def test_unknown_kid_does_not_fall_back() -> None:
    trusted = Key.generate("HS256", kid="trusted")
    assert trusted.secret is not None
    secret = hashlib.sha256(b"attacker").digest()
    forged = compact(
        {"alg": "HS256", "kid": "missing"},
        {"sub": "admin", "exp": FUTURE},
        lambda data: hmac.digest(secret, data, "sha256"),
    )
    with pytest.raises(KeyNotFoundError):
        decode(forged, KeySet([trusted]), algorithms=["HS256"])


# --- secrets in the payload, unverified reads -------------------------------


@pytest.mark.parametrize(
    "claim", ["password", "secret", "ssn", "credit_card", "card_number", "cvv"]
)
def test_sensitive_claims_refused(claim: str) -> None:
    key = Key.generate("HS256")
    with pytest.raises(SensitiveClaimError) as raised:
        encode({"sub": "user", "exp": FUTURE, claim: "4111111111111111"}, key)
    assert raised.value.code == "sensitive_claim"
    assert raised.value.claim == claim
    assert "4111" not in str(raised.value)


def test_signature_skipped_only_by_name() -> None:
    key = Key.from_secret(b"k" * 32)
    forged = encode({"sub": "admin", "exp": FUTURE}, Key.from_secret(b"f" * 32))
    every: tuple[dict[str, Any] | None, ...] = (None, {}, {"verify_exp": False}, {"require": []})
    for options in every:
        with pytest.raises(BadSignatureError):
            decode(forged, key, algorithms=["HS256"], options=options)
    for falsy in (0, "", None, "false"):  # never a truthiness reading
        with pytest.raises(TypeError, match="verify_signature"):
            decode(forged, key, algorithms=["HS256"], options={"verify_signature": falsy})
    unverified = decode(forged, key, algorithms=["HS256"], options={"verify_signature": False})
    assert unverified["sub"] == "admin"
