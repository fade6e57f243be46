"""Compact JWS: the token's shape, sizes, header rules and key selection."""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

import pytest

from gatepass.errors import (
    AlgorithmNotAllowedError,
    BadSignatureError,
    JoseError,
    KeyNotFoundError,
    MalformedTokenError,
    TokenTooLargeError,
    UnsupportedHeaderError,
)
from gatepass.jose import DEFAULT_LIMITS, Key, KeySet, Limits, decode, decode_unverified, jws

SECRET = b"k" * 32
KEY = Key.from_secret(SECRET)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(header: dict[str, Any] | bytes, payload: bytes = b"{}", secret: bytes = SECRET) -> str:
    """An HS256 token signed with the standard library over arbitrary bytes."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    signing_input = f"{b64(raw)}.{b64(payload)}"
    sig = hmac.digest(secret, signing_input.encode(), "sha256")
    return f"{signing_input}.{b64(sig)}"


def resign(h64: str, p64: str, secret: bytes = SECRET) -> str:
    sig = hmac.digest(secret, f"{h64}.{p64}".encode(), "sha256")
    return f"{h64}.{p64}.{b64(sig)}"


# -- shape ------------------------------------------------------------------------


def test_sign_verify_round_trip() -> None:
    token = jws.sign(b"hello", KEY, "HS256")
    assert jws.verify(token, KEY, algorithms=["HS256"]) == ({"alg": "HS256"}, b"hello")
    assert jws.verify(token.encode(), KEY, algorithms=["HS256"])[1] == b"hello"


def test_verify_accepts_what_the_standard_library_signs() -> None:
    token = forge({"alg": "HS256", "typ": "x"}, b"payload")
    assert jws.verify(token, KEY, algorithms=["HS256"]) == (
        {"alg": "HS256", "typ": "x"},
        b"payload",
    )


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda t: t + ".", id="extra-dot"),
        pytest.param(lambda t: t + ".AAAA", id="four-segments"),
        pytest.param(lambda t: t.rsplit(".", 1)[0], id="two-segments"),
        pytest.param(lambda t: "." + t.split(".", 1)[1], id="empty-header"),
        pytest.param(lambda t: t.replace(".", "..", 1), id="double-dot"),
        pytest.param(lambda t: " " + t, id="leading-space"),
        pytest.param(lambda t: t + "\n", id="trailing-newline"),
        pytest.param(lambda t: t.replace(".", " .", 1), id="space-before-dot"),
        pytest.param(lambda t: t.replace(".", ".\t", 1), id="tab-after-dot"),
        pytest.param(lambda t: t.split(".")[0] + "==." + t.split(".", 1)[1], id="padded-header"),
        pytest.param(lambda t: t + "=", id="padded-signature"),
        pytest.param(lambda t: t.replace("-", "+").replace("_", "/") + "+/", id="std-alphabet"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: "...", id="dots-only"),
        pytest.param(lambda t: t.replace("e", "é", 1), id="non-ascii"),
    ],
)
def test_malformed_compact_form_refused(mutate: Any) -> None:
    token = jws.sign(b'{"sub":"a"}', KEY, "HS256")
    with pytest.raises(JoseError):
        jws.verify(mutate(token), KEY, algorithms=["HS256"])


def test_non_canonical_trailing_bits_in_any_segment_refused() -> None:
    # One-byte segments: 2 base64 characters whose last carries 4 unused bits.
    token = jws.sign(b"a", KEY, "HS256")
    h64, p64, s64 = token.split(".")
    assert p64 == "YQ"
    with pytest.raises(MalformedTokenError):
        jws.verify(resign(h64, "YR"), KEY, algorithms=["HS256"])
    # 32-byte HMAC: 43 characters, the last carries 2 unused bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet[alphabet.index(s64[-1]) + 1]
    with pytest.raises(MalformedTokenError):
        jws.verify(f"{h64}.{p64}.{s64[:-1]}{last}", KEY, algorithms=["HS256"])


def test_json_serialization_refused() -> None:
    token = jws.sign(b"x", KEY, "HS256")
    h64, p64, s64 = token.split(".")
    general = json.dumps({"payload": p64, "signatures": [{"protected": h64, "signature": s64}]})
    flat = json.dumps({"payload": p64, "protected": h64, "signature": s64})
    for serialized in (general, flat):
        with pytest.raises(MalformedTokenError):
            jws.verify(serialized, KEY, algorithms=["HS256"])


def test_non_string_token_refused() -> None:
    with pytest.raises((MalformedTokenError, TypeError)):
        jws.verify(123, KEY, algorithms=["HS256"])  # type: ignore[arg-type]


# -- header JSON ------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b'{"alg":"HS256","alg":"HS256"}', id="duplicate-alg"),
        pytest.param(b'{"alg":"HS256","kid":"a","kid":"b"}', id="duplicate-kid"),
        pytest.param(b'{"alg":"HS256","x":"\xff"}', id="invalid-utf8"),
        pytest.param(b'{"alg":"HS256","x":NaN}', id="nan"),
        pytest.param(b'["HS256"]', id="array"),
        pytest.param(b'"HS256"', id="string"),
        pytest.param(b"{}", id="no-alg"),
        pytest.param(b'{"alg":null}', id="null-alg"),
        pytest.param(b'{"alg":["HS256"]}', id="list-alg"),
        pytest.param(b'{"alg":"HS256","kid":1}', id="non-string-kid"),
        pytest.param(b'{"alg":"HS256","typ":{}}', id="non-string-typ"),
        pytest.param(b'{"alg":"HS256","enc":"A128GCM"}', id="jwe-header"),
        pytest.param(b'{"alg":"HS256","b64":false}', id="unencoded-payload"),
    ],
)
def test_bad_header_refused(header: bytes) -> None:
    with pytest.raises(JoseError):
        jws.verify(forge(header), KEY, algorithms=["HS256"])


def test_whitespace_in_header_json_is_fine() -> None:
    token = forge(b'{ "alg" :\r\n "HS256" }', b"p")
    assert jws.verify(token, KEY, algorithms=["HS256"]) == ({"alg": "HS256"}, b"p")


def test_header_is_returned_as_a_fresh_dict() -> None:
    token = jws.sign(b"p", KEY, "HS256", headers={"typ": "JWT"})
    header, _ = jws.verify(token, KEY, algorithms=["HS256"])
    header["alg"] = "none"
    header["typ"] = "changed"
    assert jws.verify(token, KEY, algorithms=["HS256"])[0] == {"alg": "HS256", "typ": "JWT"}


# -- sizes -----------------------------------------------------------------------


def test_default_limits() -> None:
    assert Limits() == DEFAULT_LIMITS
    assert DEFAULT_LIMITS.max_token_bytes == 8192
    assert DEFAULT_LIMITS.max_header_bytes == 1024
    assert DEFAULT_LIMITS.max_payload_bytes == 5120  # docs/architecture.md


def test_token_size_capped() -> None:
    token = jws.sign(b"x" * 5000, KEY, "HS256")
    assert len(token) > 6000
    jws.verify(token, KEY, algorithms=["HS256"])
    with pytest.raises(TokenTooLargeError):
        jws.verify(token, KEY, algorithms=["HS256"], limits=Limits(max_token_bytes=6000))


def test_oversized_token_refused_before_parsing() -> None:
    junk = "A" * (DEFAULT_LIMITS.max_token_bytes + 1)
    with pytest.raises(TokenTooLargeError):
        jws.verify(junk, KEY, algorithms=["HS256"])
    with pytest.raises(TokenTooLargeError):
        jws.verify("." * 10_000_000, KEY, algorithms=["HS256"])


def test_header_size_capped() -> None:
    token = jws.sign(b"x", KEY, "HS256", headers={"pad": "p" * 900})
    jws.verify(token, KEY, algorithms=["HS256"])
    token = jws.sign(b"x", KEY, "HS256", headers={"pad": "p" * 1100})
    with pytest.raises(TokenTooLargeError):
        jws.verify(token, KEY, algorithms=["HS256"])
    limits = Limits(max_header_bytes=2048)
    assert jws.verify(token, KEY, algorithms=["HS256"], limits=limits)[1] == b"x"


def test_payload_size_capped() -> None:
    cap = DEFAULT_LIMITS.max_payload_bytes
    token = jws.sign(b"x" * cap, KEY, "HS256")
    assert jws.verify(token, KEY, algorithms=["HS256"])[1] == b"x" * cap
    token = jws.sign(b"x" * (cap + 1), KEY, "HS256")
    with pytest.raises(TokenTooLargeError):
        jws.verify(token, KEY, algorithms=["HS256"], limits=Limits(max_token_bytes=20_000))
    small = Limits(max_payload_bytes=100)
    with pytest.raises(TokenTooLargeError):
        jws.verify(jws.sign(b"x" * 101, KEY, "HS256"), KEY, algorithms=["HS256"], limits=small)
    assert jws.verify(jws.sign(b"x" * 99, KEY, "HS256"), KEY, algorithms=["HS256"], limits=small)


def test_limits_must_fit_together() -> None:
    with pytest.raises(ValueError):
        Limits(max_token_bytes=1000, max_header_bytes=2000)
    with pytest.raises(ValueError):
        Limits(max_token_bytes=1000, max_payload_bytes=2000)


@pytest.mark.parametrize("value", [0, -1, 63, 1.5, "8192", True, None])
def test_limits_validated(value: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        Limits(max_token_bytes=value)


def test_limits_frozen() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_LIMITS.max_token_bytes = 1  # type: ignore[misc]


# -- algorithms ------------------------------------------------------------------


def test_algorithm_must_be_in_the_allow_list() -> None:
    token = jws.sign(b"x", KEY, "HS256")
    with pytest.raises(AlgorithmNotAllowedError):
        jws.verify(token, KEY, algorithms=["HS384"])
    with pytest.raises(AlgorithmNotAllowedError):
        jws.verify(token, KEY, algorithms=[])


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", "", "hs256", "HS256 ", "RS1"])
def test_unknown_algorithm_names_refused_even_if_allowed(alg: str) -> None:
    token = forge({"alg": alg})
    with pytest.raises(AlgorithmNotAllowedError):
        jws.verify(token, KEY, algorithms=[alg, "HS256"])
    unsigned = f"{b64(json.dumps({'alg': alg}).encode())}.{b64(b'{}')}."
    with pytest.raises(JoseError):
        jws.verify(unsigned, KEY, algorithms=[alg, "HS256"])


def test_key_alg_binding() -> None:
    rsa = Key.generate("RS256")
    token = jws.sign(b"x", Key.from_crypto(rsa.crypto, alg="PS256"), "PS256")
    # The key names RS256: a PS256 token is refused even when PS256 is allowed.
    with pytest.raises(JoseError):
        jws.verify(token, rsa.public_key(), algorithms=["RS256", "PS256"])
    unbound = Key.from_crypto(rsa.public_crypto)
    assert jws.verify(token, unbound, algorithms=["PS256"])[1] == b"x"


def test_sign_refuses_a_header_alg_that_differs() -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        jws.sign(b"x", KEY, "HS256", headers={"alg": "none"})


def test_sign_needs_an_algorithm() -> None:
    key = Key.from_secret(SECRET, alg=None)
    with pytest.raises(AlgorithmNotAllowedError):
        jws.sign(b"x", key)


def test_sign_with_a_public_key_refused() -> None:
    with pytest.raises(JoseError):
        jws.sign(b"x", Key.generate("ES256").public_key(), "ES256")


# -- crit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        pytest.param({"alg": "HS256", "crit": []}, id="empty"),
        pytest.param({"alg": "HS256", "crit": "exp"}, id="not-a-list"),
        pytest.param({"alg": "HS256", "crit": ["alg"]}, id="registered-alg"),
        pytest.param({"alg": "HS256", "crit": ["kid"], "kid": "k"}, id="registered-kid"),
        pytest.param({"alg": "HS256", "crit": ["ext"]}, id="member-absent"),
        pytest.param({"alg": "HS256", "crit": ["ext", "ext"], "ext": 1}, id="duplicate"),
        pytest.param({"alg": "HS256", "crit": [1]}, id="non-string"),
        pytest.param({"alg": "HS256", "crit": ["b64"], "b64": True}, id="b64-understood-only"),
        pytest.param({"alg": "HS256", "crit": None}, id="null"),
        pytest.param({"alg": "HS256", "crit": 5}, id="number"),
        pytest.param({"alg": "HS256", "crit": {"ext": 1}, "ext": 1}, id="object"),
    ],
)
def test_invalid_crit_refused_even_when_declared_understood(header: dict[str, Any]) -> None:
    with pytest.raises(JoseError):
        jws.verify(forge(header), KEY, algorithms=["HS256"], crit=["ext", "alg", "kid", "exp"])


@pytest.mark.parametrize("crit", [None, 5, "ext", {"ext": 1}])
def test_crit_of_the_wrong_type_is_malformed_everywhere(crit: Any) -> None:
    # "crit": null once reached set(None) after the header check let it through
    # as absent: a TypeError, so a 500 from the server for anyone's token.
    token = forge({"alg": "HS256", "crit": crit, "ext": 1})
    with pytest.raises(MalformedTokenError):
        jws.verify(token, KEY, algorithms=["HS256"], crit=["ext"])
    with pytest.raises(MalformedTokenError):
        decode(token, KEY, algorithms=["HS256"], crit=["ext"], options={"require_exp": False})
    with pytest.raises(MalformedTokenError):
        decode_unverified(token)


@pytest.mark.parametrize(
    "headers",
    [{"crit": None}, {"crit": []}, {"crit": ["ext"]}, {"kid": 5}, {"typ": None}, {"cty": ["a"]}],
)
def test_sign_refuses_a_header_verify_would_refuse(headers: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedHeaderError):
        jws.sign(b"{}", KEY, headers=headers)


def test_unknown_crit_refused_and_declared_crit_accepted() -> None:
    token = forge({"alg": "HS256", "crit": ["ext", "other"], "ext": 1, "other": 2})
    with pytest.raises(UnsupportedHeaderError):
        jws.verify(token, KEY, algorithms=["HS256"])
    with pytest.raises(UnsupportedHeaderError):
        jws.verify(token, KEY, algorithms=["HS256"], crit=["ext"])
    assert jws.verify(token, KEY, algorithms=["HS256"], crit=["ext", "other"])[1] == b"{}"


# -- keys from headers, kid -------------------------------------------------------


def test_embedded_jwk_never_used() -> None:
    attacker = Key.generate("ES256")
    victim = Key.generate("ES256")
    headers = {"jwk": attacker.export_jwk(), "kid": attacker.kid}
    token = jws.sign(b"x", attacker, "ES256", headers=headers)
    with pytest.raises(JoseError):
        jws.verify(token, victim.public_key(), algorithms=["ES256"])
    with pytest.raises(JoseError):
        jws.verify(token, KeySet([victim.public_key()]), algorithms=["ES256"])


@pytest.mark.parametrize("member", ["jku", "x5u", "x5c", "jwk"])
def test_key_source_members_are_ignored_not_fetched(member: str) -> None:
    value: Any = {
        "jku": "http://127.0.0.1:1/jwks.json",
        "x5u": "http://127.0.0.1:1/cert.pem",
        "x5c": ["MIIB"],
        "jwk": {"kty": "oct", "k": b64(b"attacker" * 4)},
    }[member]
    token = forge({"alg": "HS256", member: value})
    # The caller's key decides: the token verifies with it and fails with another.
    assert jws.verify(token, KEY, algorithms=["HS256"])[0][member] == value
    with pytest.raises(BadSignatureError):
        jws.verify(token, Key.from_secret(b"o" * 32), algorithms=["HS256"])


@pytest.mark.parametrize(
    "kid", ["../../etc/passwd", "' OR '1'='1", "", "a" * 200, "k\u0000id", "キー", "${jndi:x}"]
)
def test_kid_is_opaque(kid: str) -> None:
    key = Key.from_secret(SECRET, kid=kid)
    token = jws.sign(b"x", key, "HS256")
    assert jws.verify(token, KeySet([key]), algorithms=["HS256"])[0]["kid"] == kid
    other = Key.from_secret(b"o" * 32, kid="other")
    with pytest.raises(KeyNotFoundError):
        jws.verify(token, KeySet([other]), algorithms=["HS256"])


def test_kid_selects_in_a_key_set() -> None:
    a = Key.from_secret(b"a" * 32, kid="a")
    b = Key.from_secret(b"b" * 32, kid="b")
    keys = KeySet([a, b])
    assert jws.verify(jws.sign(b"1", a, "HS256"), keys, algorithms=["HS256"])[1] == b"1"
    assert jws.verify(jws.sign(b"2", b, "HS256"), keys, algorithms=["HS256"])[1] == b"2"
    # A token claiming b's kid but signed by a fails: the kid picks, it does not vouch.
    forged = jws.sign(b"3", Key.from_secret(b"a" * 32, kid="b"), "HS256")
    with pytest.raises(BadSignatureError):
        jws.verify(forged, keys, algorithms=["HS256"])


def test_token_without_kid_tries_the_suitable_keys_of_a_set() -> None:
    a = Key.generate("ES256")
    b = Key.generate("ES256")
    token = jws.sign(b"x", Key.from_crypto(b.crypto), "ES256")
    assert "kid" not in jws.verify(token, b.public_key(), algorithms=["ES256"])[0]
    keys = KeySet([a.public_key(), b.public_key()])
    assert jws.verify(token, keys, algorithms=["ES256"])[1] == b"x"
    with pytest.raises(JoseError):
        jws.verify(token, KeySet([a.public_key()]), algorithms=["ES256"])


def test_explicit_kid_on_a_single_key_must_match() -> None:
    key = Key.from_secret(SECRET, kid="mine")
    token = jws.sign(b"x", Key.from_secret(SECRET, kid="theirs"), "HS256")
    with pytest.raises(KeyNotFoundError):
        jws.verify(token, key, algorithms=["HS256"])


# -- tampering ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "alg",
    ["HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"],
)
def test_every_single_character_change_fails(alg: str) -> None:
    key = Key.generate(alg)
    verifier = key if key.kty == "oct" else key.public_key()
    token = jws.sign(b'{"sub":"alice"}', key, alg)
    assert jws.verify(token, verifier, algorithms=[alg])[1] == b'{"sub":"alice"}'
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    step = max(1, len(token) // 40)
    for i in range(0, len(token), step):
        if token[i] == ".":
            continue
        changed = alphabet[(alphabet.index(token[i]) + 1) % 64]
        with pytest.raises(JoseError):
            jws.verify(token[:i] + changed + token[i + 1 :], verifier, algorithms=[alg])


@pytest.mark.parametrize("segment", [0, 1, 2])
@pytest.mark.parametrize("char", ["é", "\u0000", "\ufffd", "+", "/", "="])
def test_foreign_character_in_any_segment_is_malformed(segment: int, char: str) -> None:
    parts = jws.sign(b'{"sub":"alice"}', KEY, "HS256").split(".")
    parts[segment] = parts[segment][:3] + char + parts[segment][3:]
    if segment < 2:  # a valid MAC over the bad segment: only the encoding is wrong
        mac = hmac.digest(SECRET, f"{parts[0]}.{parts[1]}".encode(), "sha256")
        parts[2] = b64(mac)
    token = ".".join(parts)
    with pytest.raises(MalformedTokenError):
        jws.verify(token, KEY, algorithms=["HS256"])
    with pytest.raises(MalformedTokenError):
        jws.verify(token.encode("utf-8"), KEY, algorithms=["HS256"])
