"""JWT encode/decode/decode_unverified and Verifier (PyJWT's call shape)."""

from __future__ import annotations

import base64
import datetime
import hmac
import json
from typing import Any

import pytest

from gatepass.errors import (
    AlgorithmNotAllowedError,
    BadSignatureError,
    ClaimError,
    GatepassError,
    JoseError,
    MalformedTokenError,
    MissingClaimError,
    SensitiveClaimError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenTooLargeError,
)
from gatepass.jose import Key, KeySet, Limits, Verifier, decode, decode_unverified, encode
from gatepass.jose.jwt import DEFAULT_SENSITIVE_CLAIMS

NOW = 1_700_000_000
SECRET = b"0123456789abcdef0123456789abcdef"
KEY = Key.from_secret(SECRET)


def clock() -> float:
    return float(NOW)


def claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "alice", "exp": NOW + 300, "iat": NOW, **extra}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(header: dict[str, Any], payload: bytes) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}"
    return f"{signing_input}.{b64(hmac.digest(SECRET, signing_input.encode(), 'sha256'))}"


# -- encode ---------------------------------------------------------------------------


def test_encode_decode_round_trip_with_pyjwt_call_shape() -> None:
    token = encode(claims(), SECRET, algorithm="HS256")
    assert decode(token, SECRET, algorithms=["HS256"], clock=clock) == claims()
    # PyJWT 2.x order: algorithms, options, verify, detached_payload, audience, subject,
    # issuer, leeway
    assert decode(token, KEY, ["HS256"], None, None, None, None, None, None, 0, clock=clock) == (
        claims()
    )
    header, body = decode_unverified(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert body == claims()


def test_encode_defaults_and_headers() -> None:
    key = Key.generate("ES256", kid="k1")
    token = encode(claims(), key, headers={"typ": "at+jwt", "x": 1})
    header, _ = decode_unverified(token)
    assert header == {"alg": "ES256", "typ": "at+jwt", "x": 1, "kid": "k1"}
    assert decode(token, key.public_key(), algorithms=["ES256"], clock=clock)["sub"] == "alice"


def test_encode_with_a_cryptography_key_object() -> None:
    key = Key.generate("EdDSA")
    token = encode(claims(), key.crypto, algorithm="EdDSA")
    assert decode(token, key.public_crypto, algorithms=["EdDSA"], clock=clock)["sub"] == "alice"


def test_encode_converts_datetimes() -> None:
    when = datetime.datetime.fromtimestamp(NOW, datetime.UTC)
    payload = {"exp": when + datetime.timedelta(minutes=5), "iat": when, "nbf": when}
    _, body = decode_unverified(encode(payload, KEY))
    assert body == {"exp": NOW + 300, "iat": NOW, "nbf": NOW}


def test_encode_does_not_change_the_callers_payload() -> None:
    when = datetime.datetime.fromtimestamp(NOW, datetime.UTC)
    payload: dict[str, Any] = {"exp": when, "nested": {"a": 1}}
    encode(payload, KEY)
    assert payload == {"exp": when, "nested": {"a": 1}}


def test_encode_refuses_a_payload_without_exp() -> None:
    with pytest.raises(MissingClaimError) as info:
        encode({"sub": "alice"}, KEY)
    assert info.value.claim == "exp"
    token = encode({"sub": "alice"}, KEY, require_exp=False)
    assert decode(token, KEY, algorithms=["HS256"], options={"require_exp": False}) == {
        "sub": "alice"
    }


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "Password",
        "user_password",
        "secret",
        "client_secret",
        "ssn",
        "credit_card",
        "creditCard",
        "card_number",
        "cvv",
        "PASSWD",
    ],
)
def test_encode_refuses_sensitive_claims(name: str) -> None:
    with pytest.raises(SensitiveClaimError) as info:
        encode(claims(**{name: "hunter2"}), KEY)
    assert info.value.claim == name
    assert info.value.code == "sensitive_claim"
    assert "hunter2" not in str(info.value)


def test_sensitive_claims_nested_and_configurable() -> None:
    with pytest.raises(SensitiveClaimError):
        encode(claims(profile={"password": "x"}), KEY)
    assert "password" in DEFAULT_SENSITIVE_CLAIMS
    token = encode(claims(password="x"), KEY, sensitive_claims=())
    assert decode_unverified(token)[1]["password"] == "x"
    with pytest.raises(SensitiveClaimError):
        encode(claims(favourite_colour="blue"), KEY, sensitive_claims={"favourite_colour"})


def test_encode_refuses_non_json_and_non_mapping() -> None:
    with pytest.raises(TypeError):
        encode(claims(x=object()), KEY)
    with pytest.raises(TypeError):
        encode([("exp", 1)], KEY)  # type: ignore[arg-type]


def test_encode_refuses_a_key_set_and_public_keys() -> None:
    with pytest.raises(TypeError):
        encode(claims(), KeySet([KEY]))
    with pytest.raises(JoseError):
        encode(claims(), Key.generate("ES256").public_key())


# -- decode -----------------------------------------------------------------------------


def test_decode_requires_an_allow_list() -> None:
    token = encode(claims(), KEY)
    empty: tuple[list[str] | None, ...] = (None, [], [])
    for algorithms in empty:
        with pytest.raises(TypeError):
            decode(token, KEY, algorithms=algorithms, clock=clock)
    with pytest.raises((TypeError, ValueError)):
        decode(token, KEY, algorithms=["none"], clock=clock)


def test_only_verify_signature_false_skips_the_signature() -> None:
    forged = encode(claims(), Key.generate("HS256"))
    with pytest.raises(BadSignatureError):
        decode(forged, KEY, algorithms=["HS256"], clock=clock)
    # PyJWT's unsafe-by-name switch: nothing else is checked unless asked for.
    assert decode(forged, options={"verify_signature": False}) == claims()
    with pytest.raises(TokenExpiredError):
        decode(forged, options={"verify_signature": False, "verify_exp": True})
    with pytest.raises(TypeError):  # no truthiness: 0, "" or None is not False
        decode(forged, KEY, algorithms=["HS256"], options={"verify_signature": 0})
    with pytest.raises(TypeError):
        Verifier(KEY, algorithms=["HS256"], options={"verify_signature": False})


def test_decode_refuses_unknown_options() -> None:
    with pytest.raises(TypeError):
        decode(encode(claims(), KEY), KEY, algorithms=["HS256"], options={"verify_sig": False})


@pytest.mark.parametrize(
    ("argument", "value", "message"),
    [
        ("audience", 5, "string or a collection"),
        ("audience", b"api", "string or a collection"),
        ("audience", [], "accepts nothing"),
        ("issuer", ["https://a", 7], "must be strings"),
        ("leeway", "10", "leeway must be"),
        ("leeway", None, "leeway must be"),
        ("leeway", True, "leeway must be"),
        ("max_age", "60", "max_age must be"),
        ("subject", 1, "subject must be"),
        ("required", "exp", "collection of claim names"),
        ("required", [1], "collection of claim names"),
    ],
)
def test_decode_explains_a_wrong_argument(argument: str, value: Any, message: str) -> None:
    # A caller's mistake gets a TypeError naming the argument, not a Python
    # internals message; a bare string for ``required`` is not read as letters.
    token = encode(claims(), KEY)
    with pytest.raises(TypeError, match=message):
        decode(token, KEY, algorithms=["HS256"], clock=clock, **{argument: value})
    with pytest.raises(TypeError, match=message):
        Verifier(KEY, algorithms=["HS256"], clock=clock, **{argument: value})


def test_required_claims_accept_any_collection_of_names() -> None:
    token = encode(claims(), KEY)
    for required in (["exp"], ("sub", "iat"), {"exp"}, (n for n in ["sub"])):
        assert decode(token, KEY, algorithms=["HS256"], clock=clock, required=required)
    with pytest.raises(TypeError, match="collection of claim names"):
        decode(token, KEY, algorithms=["HS256"], clock=clock, options={"require": "exp"})


def test_decode_checks_the_signature() -> None:
    token = encode(claims(), Key.from_secret(b"x" * 32))
    with pytest.raises(BadSignatureError):
        decode(token, KEY, algorithms=["HS256"], clock=clock)


def test_decode_uses_the_clock() -> None:
    token = encode(claims(), KEY)
    with pytest.raises(TokenExpiredError):
        decode(token, KEY, algorithms=["HS256"], clock=lambda: NOW + 300)
    assert decode(token, KEY, algorithms=["HS256"], clock=lambda: NOW + 299)["sub"] == "alice"
    assert decode(token, KEY, algorithms=["HS256"], clock=lambda: NOW + 310, leeway=11)
    assert decode(
        token,
        KEY,
        algorithms=["HS256"],
        clock=lambda: NOW + 310,
        leeway=datetime.timedelta(seconds=11),
    )
    with pytest.raises(TokenExpiredError):  # the real clock: 2023 + 300 s is long past
        decode(token, KEY, algorithms=["HS256"])


def test_decode_exp_required_unless_turned_off_by_name() -> None:
    token = encode({"sub": "a"}, KEY, require_exp=False)
    with pytest.raises(MissingClaimError):
        decode(token, KEY, algorithms=["HS256"], clock=clock)
    with pytest.raises(MissingClaimError):
        decode(token, KEY, algorithms=["HS256"], clock=clock, options={"verify_exp": False})
    assert decode(token, KEY, algorithms=["HS256"], options={"require_exp": False}) == {"sub": "a"}


def test_decode_options_switch_checks_off_by_name() -> None:
    token = encode(claims(exp=NOW - 1), KEY)
    assert decode(token, KEY, algorithms=["HS256"], clock=clock, options={"verify_exp": False})
    token = encode(claims(nbf=NOW + 100), KEY)
    with pytest.raises(TokenNotYetValidError):
        decode(token, KEY, algorithms=["HS256"], clock=clock)
    assert decode(token, KEY, algorithms=["HS256"], clock=clock, options={"verify_nbf": False})
    token = encode(claims(iat=NOW + 100), KEY)
    with pytest.raises(TokenNotYetValidError):
        decode(token, KEY, algorithms=["HS256"], clock=clock)
    assert decode(token, KEY, algorithms=["HS256"], clock=clock, options={"verify_iat": False})
    token = encode(claims(aud="other"), KEY)
    with pytest.raises(ClaimError):
        decode(token, KEY, algorithms=["HS256"], clock=clock, audience="api")
    assert decode(
        token,
        KEY,
        algorithms=["HS256"],
        clock=clock,
        audience="api",
        options={"verify_aud": False},
    )
    token = encode(claims(iss="other"), KEY)
    assert decode(
        token, KEY, algorithms=["HS256"], clock=clock, issuer="me", options={"verify_iss": False}
    )


def test_decode_require_option_and_required_argument() -> None:
    token = encode(claims(), KEY)
    with pytest.raises(MissingClaimError) as info:
        decode(token, KEY, algorithms=["HS256"], clock=clock, options={"require": ["jti"]})
    assert info.value.claim == "jti"
    with pytest.raises(MissingClaimError):
        decode(token, KEY, algorithms=["HS256"], clock=clock, required=["nbf"])


def test_decode_audience_and_issuer() -> None:
    token = encode(claims(aud=["web", "api"], iss="https://id.example"), KEY)
    kwargs: dict[str, Any] = {"algorithms": ["HS256"], "clock": clock}
    assert decode(token, KEY, audience="api", issuer="https://id.example", **kwargs)
    assert decode(token, KEY, audience=["x", "web"], issuer=["a", "https://id.example"], **kwargs)
    with pytest.raises(ClaimError):
        decode(token, KEY, audience="ap", issuer="https://id.example", **kwargs)
    for issuer in ("https://id.example.evil", "https://id.exampl", "id.example", "https"):
        with pytest.raises(ClaimError) as info:
            decode(token, KEY, audience="api", issuer=issuer, **kwargs)
        assert info.value.claim == "iss"
    plain = encode(claims(), KEY)
    with pytest.raises(MissingClaimError):
        decode(plain, KEY, audience="api", **kwargs)
    with pytest.raises(MissingClaimError):
        decode(plain, KEY, issuer="https://id.example", **kwargs)


def test_decode_issuer_string_is_not_a_set_of_substrings() -> None:
    token = encode(claims(iss="a"), KEY)
    with pytest.raises(ClaimError):
        decode(token, KEY, algorithms=["HS256"], clock=clock, issuer="abc")
    token = encode(claims(aud="p"), KEY)
    with pytest.raises(ClaimError):
        decode(token, KEY, algorithms=["HS256"], clock=clock, audience="api")


def test_decode_typ() -> None:
    at = encode(claims(), KEY, headers={"typ": "at+jwt"})
    kwargs: dict[str, Any] = {"algorithms": ["HS256"], "clock": clock}
    assert decode(at, KEY, typ="at+jwt", **kwargs)
    assert decode(at, KEY, typ="application/at+jwt", **kwargs)
    plain = encode(claims(), KEY)
    with pytest.raises(ClaimError) as info:
        decode(plain, KEY, typ="at+jwt", **kwargs)
    assert info.value.claim == "typ"
    untyped = forge({"alg": "HS256"}, json.dumps(claims()).encode())
    with pytest.raises(ClaimError):
        decode(untyped, KEY, typ="at+jwt", **kwargs)
    assert decode(untyped, KEY, **kwargs)


def test_decode_subject_and_max_age() -> None:
    token = encode(claims(), KEY)
    kwargs: dict[str, Any] = {"algorithms": ["HS256"]}
    assert decode(token, KEY, subject="alice", clock=clock, **kwargs)
    with pytest.raises(ClaimError):
        decode(token, KEY, subject="bob", clock=clock, **kwargs)
    assert decode(token, KEY, max_age=60, clock=lambda: NOW + 60, **kwargs)
    with pytest.raises(TokenExpiredError):
        decode(token, KEY, max_age=60, clock=lambda: NOW + 61, **kwargs)
    with pytest.raises(TokenExpiredError):
        decode(token, KEY, max_age=datetime.timedelta(seconds=60), clock=lambda: NOW + 61, **kwargs)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"[1,2]", id="array"),
        pytest.param(b'{"exp":1,"exp":9999999999}', id="duplicate-exp"),
        pytest.param(b'{"exp":NaN}', id="nan"),
        pytest.param(b'{"exp":9999999999,"x":"\xff"}', id="invalid-utf8"),
    ],
)
def test_decode_refuses_bad_payload_json(payload: bytes) -> None:
    with pytest.raises(MalformedTokenError):
        decode(forge({"alg": "HS256"}, payload), KEY, algorithms=["HS256"], clock=clock)


def test_decode_limits() -> None:
    token = encode(claims(data="x" * 2000), KEY)
    assert decode(token, KEY, algorithms=["HS256"], clock=clock)
    with pytest.raises(TokenTooLargeError):
        decode(token, KEY, algorithms=["HS256"], clock=clock, limits=Limits(max_payload_bytes=1000))


def test_decode_with_a_pem_public_key_string() -> None:
    key = Key.generate("RS256")
    token = encode(claims(), key)
    pem = key.export_pem().decode()
    assert decode(token, pem, algorithms=["RS256"], clock=clock)["sub"] == "alice"
    # A public key given as text is never an HMAC secret.
    with pytest.raises(JoseError):
        decode(token, pem, algorithms=["HS256"], clock=clock)


def test_decode_with_a_key_set() -> None:
    a, b = Key.generate("ES256", kid="a"), Key.generate("ES256", kid="b")
    keys = KeySet([a.public_key(), b.public_key()])
    assert decode(encode(claims(), b), keys, algorithms=["ES256"], clock=clock)["sub"] == "alice"


# -- Verifier ---------------------------------------------------------------------------


def test_verifier_matches_decode() -> None:
    verifier = Verifier(
        SECRET, algorithms=["HS256"], audience="api", issuer="me", clock=clock, typ="JWT"
    )
    token = encode(claims(aud="api", iss="me"), KEY)
    assert verifier.decode(token) == decode(
        token, SECRET, algorithms=["HS256"], audience="api", issuer="me", clock=clock
    )
    header, body = verifier.decode_complete(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert body["aud"] == "api"
    for bad in (encode(claims(aud="web", iss="me"), KEY), encode(claims(aud="api"), KEY)):
        with pytest.raises(ClaimError):
            verifier.decode(bad)
    with pytest.raises(TypeError):
        Verifier(SECRET, algorithms=None)


def test_verifier_returns_independent_results() -> None:
    verifier = Verifier(KEY, algorithms=["HS256"], clock=clock)
    token = encode(claims(), KEY)
    header, first = verifier.decode_complete(token)
    header["alg"] = "none"
    first["sub"] = "mallory"
    header, second = verifier.decode_complete(token)
    assert header["alg"] == "HS256"
    assert second["sub"] == "alice"


# -- decode_unverified ------------------------------------------------------------------


def test_decode_unverified_reads_without_verifying_but_stays_strict() -> None:
    token = encode(claims(), Key.from_secret(b"z" * 32))
    header, body = decode_unverified(token)
    assert header["alg"] == "HS256"
    assert body == claims()
    for bad in ("", "a.b", token + "=", token.replace(".", ". ", 1)):
        with pytest.raises(MalformedTokenError):
            decode_unverified(bad)
    with pytest.raises(TokenTooLargeError):
        decode_unverified("a" * 9000)
    with pytest.raises(MalformedTokenError):
        decode_unverified(forge({"alg": "HS256"}, b"[1]"))


# -- errors -------------------------------------------------------------------------------

MARKER = "ATTACKERMARKER"


def _crafted_tokens() -> list[str]:
    marker_json = json.dumps({MARKER: MARKER}).encode()
    header_b64 = b64(json.dumps({"alg": "HS256", "kid": MARKER, "typ": MARKER}).encode())
    return [
        forge({"alg": MARKER}, marker_json),
        forge({"alg": "HS256", "kid": MARKER}, marker_json),
        forge({"alg": "HS256", "crit": [MARKER], MARKER: 1}, marker_json),
        forge({"alg": "HS256"}, json.dumps({"exp": MARKER}).encode()),
        forge({"alg": "HS256"}, json.dumps({"exp": NOW + 60, "aud": MARKER}).encode()),
        forge({"alg": "HS256"}, json.dumps({"exp": NOW + 60, "iss": MARKER}).encode()),
        forge({"alg": "HS256"}, json.dumps({"exp": NOW + 60, "sub": [MARKER]}).encode()),
        forge({"alg": "HS256"}, (f'{{"{MARKER}":1,"{MARKER}":2}}').encode()),
        f"{header_b64}.{b64(marker_json)}.{b64(MARKER.encode())}",
        f"{MARKER}.{MARKER}.{MARKER}",
        f"{MARKER}=.{MARKER}.{MARKER}",
        f"{MARKER} {MARKER}",
        "{" + f'"payload":"{MARKER}","signatures":[]' + "}",
        MARKER * 1000,
    ]


@pytest.mark.parametrize("token", _crafted_tokens())
def test_errors_never_echo_the_token(token: str) -> None:
    keys = KeySet([Key.from_secret(SECRET, kid="k")])
    for key in (KEY, keys):
        with pytest.raises(GatepassError) as info:
            decode(token, key, algorithms=["HS256"], audience="api", issuer="me", clock=clock)
        text = f"{info.value} {info.value!r} {info.value.message} {info.value.args}"
        assert MARKER not in text
        assert MARKER.lower() not in text.lower()
        for segment in token.split("."):
            if len(segment) >= 8:
                assert segment not in text
        assert info.value.code != "error"


def test_error_codes_are_stable() -> None:
    token = encode(claims(), KEY)
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("malformed_token", "x.y", {}),
        ("token_too_large", "a" * 9000, {}),
        ("alg_not_allowed", token, {"algorithms": ["HS512"]}),
        ("bad_signature", token[:-2] + ("AA" if token[-2:] != "AA" else "BA"), {}),
        ("token_expired", encode(claims(exp=NOW), KEY), {}),
        ("token_not_yet_valid", encode(claims(nbf=NOW + 10), KEY), {}),
        ("claim_missing", token, {"audience": "api"}),
        ("claim_invalid", encode(claims(aud="x"), KEY), {"audience": "api"}),
    ]
    for code, bad, kwargs in cases:
        kwargs = {"algorithms": ["HS256"], **kwargs}
        with pytest.raises(GatepassError) as info:
            decode(bad, KEY, clock=clock, **kwargs)
        assert info.value.code == code
        assert str(info.value).startswith(f"{code}: ")
    with pytest.raises(AlgorithmNotAllowedError):
        decode(token, KEY, algorithms=["HS384"], clock=clock)


@pytest.mark.parametrize(
    "payload",
    [b'{"exp":1e400}', b'{"exp":1700000300,"nbf":-1e400}', b'{"exp":1700000300,"iat":-1E999}'],
)
def test_a_time_claim_that_overflows_to_infinity_is_malformed(payload: bytes) -> None:
    # 1e400 is valid JSON; read as inf it made a signed token that never expired.
    with pytest.raises(MalformedTokenError):
        decode(forge({"alg": "HS256"}, payload), KEY, algorithms=["HS256"], clock=clock)
