"""Signed and encrypted tokens whose header and claims hold any JSON value.

Every public entry point must either accept the token or raise a
``GatepassError``: anything else (a TypeError from ``set(None)``, a KeyError)
reaches the server and ``gatepass.protect`` as a 500 for a token nobody had
to sign. A fuzzing pass found ``"crit": null`` and ``"p2c": null`` doing that;
these properties keep the whole class closed. Tokens are signed with the
verifying key, so every check after the signature runs too.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatepass.errors import GatepassError
from gatepass.jose import Key, Verifier, decode, decode_unverified, jws
from gatepass.jose._b64 import b64encode
from gatepass.jose.jwe import decrypt, encrypt

SECRET = b"k" * 32
KEY = Key.from_secret(SECRET, alg=None)
NOW = 1_700_000_000
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
_JWS_NAMES = ["alg", "typ", "kid", "cty", "crit", "b64", "jwk", "jku", "x5c", "enc", "ext"]
_CLAIM_NAMES = ["exp", "nbf", "iat", "iss", "aud", "sub", "jti", "sid", "scope"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.digest(SECRET, signing_input.encode(), "sha256")
    return f"{signing_input}.{_b64(signature)}"


def _only_gatepass_errors(call: Any) -> None:
    with contextlib.suppress(GatepassError):  # anything else fails the test
        call()


@SETTINGS
@given(
    changes=st.dictionaries(st.sampled_from(_JWS_NAMES), _VALUES, max_size=3),
    claim_changes=st.dictionaries(st.sampled_from(_CLAIM_NAMES), _VALUES, max_size=3),
)
def test_any_json_in_a_signed_token_is_accepted_or_a_gatepass_error(
    changes: dict[str, Any], claim_changes: dict[str, Any]
) -> None:
    header = {"alg": "HS256", "typ": "at+jwt", **changes}
    claims = {"sub": "u", "exp": NOW + 60, "iat": NOW, "iss": "i", "aud": "a", **claim_changes}
    token = _signed(header, claims)
    verifier = Verifier(
        KEY,
        algorithms=["HS256"],
        issuer="i",
        audience="a",
        typ="at+jwt",
        required=["sid"],
        max_age=600,
        clock=lambda: float(NOW),
        crit=["ext"],
    )
    _only_gatepass_errors(lambda: verifier.decode(token))
    _only_gatepass_errors(lambda: decode(token, KEY, algorithms=["HS256"], crit=["ext"]))
    _only_gatepass_errors(lambda: jws.verify(token, KEY, algorithms=["HS256"], crit=["ext"]))
    _only_gatepass_errors(lambda: decode_unverified(token))


_JWE_KEY = Key.import_jwk({"kty": "oct", "k": b64encode(b"p" * 16)})
_JWE_NAMES = ["alg", "enc", "zip", "crit", "kid", "epk", "iv", "tag", "p2s", "p2c", "apu", "ext"]


@SETTINGS
@given(
    alg=st.sampled_from(["dir", "A128KW", "A128GCMKW", "PBES2-HS256+A128KW"]),
    changes=st.dictionaries(st.sampled_from(_JWE_NAMES), _VALUES, max_size=3),
)
def test_any_json_in_a_jwe_header_is_decrypted_or_a_gatepass_error(
    alg: str, changes: dict[str, Any]
) -> None:
    extra = {"p2c": 1000} if alg.startswith("PBES2") else None
    token = encrypt(b"{}", _JWE_KEY, alg=alg, enc="A128GCM", headers=extra)
    h64, rest = token.split(".", 1)
    header = {**json.loads(base64.urlsafe_b64decode(h64 + "==")), **changes}
    forged = f"{_b64(json.dumps(header).encode())}.{rest}"
    _only_gatepass_errors(
        lambda: decrypt(
            forged,
            _JWE_KEY,
            algorithms=["dir", "A128KW", "A128GCMKW", "PBES2-HS256+A128KW"],
            encryptions=["A128GCM"],
            allow_pbes2=True,
            allow_zip=True,
            crit=["ext"],
        )
    )
    _only_gatepass_errors(lambda: jws.verify(forged, KEY, algorithms=["HS256"]))
    _only_gatepass_errors(lambda: decode_unverified(forged))
