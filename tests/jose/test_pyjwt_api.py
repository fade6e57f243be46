"""gatepass.jose.jwt as a PyJWT drop-in: errors, options, the clock, PyJWK and PyJWKClient."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable

import httpx
import pytest
from freezegun import freeze_time

from gatepass import errors
from gatepass.jose import Key, KeySet, jwt
from gatepass.jose.pyjwt.api_jwt import PyJWT

SECRET = "s" * 32
NOW = 1_700_000_000.0


def _token(**claims: object) -> str:
    return jwt.encode({"sub": "42", "exp": NOW + 60, **claims}, SECRET)


def test_freezegun_sees_the_clock_after_a_cached_decode() -> None:
    token = jwt.encode({"sub": "42", "exp": time.time() + 60}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["sub"] == "42"  # builds the cache
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    with freeze_time(later), pytest.raises(jwt.ExpiredSignatureError) as raised:
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert isinstance(raised.value, errors.TokenExpiredError)
    assert raised.value.code == "token_expired"


def test_an_injected_clock_is_read_at_each_call() -> None:
    now = [NOW]
    clock: Callable[[], float] = lambda: now[0]  # noqa: E731
    token = _token()
    assert jwt.decode(token, SECRET, algorithms=["HS256"], clock=clock)["sub"] == "42"
    now[0] = NOW + 61
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, SECRET, algorithms=["HS256"], clock=clock)
    verifier = jwt.Verifier(SECRET, algorithms=["HS256"], clock=clock)
    now[0] = NOW
    assert verifier.decode(token)["sub"] == "42"


@pytest.mark.parametrize("claim", ["iss", "sub"])
@pytest.mark.parametrize("value", [123, None, ["a"], {"a": 1}])
def test_encode_refuses_non_string_iss_and_sub(claim: str, value: object) -> None:
    with pytest.raises(TypeError, match=claim):
        jwt.encode({claim: value, "exp": NOW + 60}, SECRET)


@pytest.mark.parametrize(
    ("token_kwargs", "decode_kwargs", "pyjwt_error", "gatepass_error"),
    [
        ({"exp": NOW - 1}, {}, jwt.ExpiredSignatureError, errors.TokenExpiredError),
        ({"nbf": NOW + 60}, {}, jwt.ImmatureSignatureError, errors.TokenNotYetValidError),
        ({"aud": "x"}, {"audience": "api"}, jwt.InvalidAudienceError, errors.ClaimError),
        ({}, {"audience": "api"}, jwt.MissingRequiredClaimError, errors.MissingClaimError),
        ({"iss": "x"}, {"issuer": "me"}, jwt.InvalidIssuerError, errors.ClaimError),
        ({}, {"subject": "7"}, jwt.InvalidSubjectError, errors.ClaimError),
        ({}, {"algorithms": ["HS512"]}, jwt.InvalidAlgorithmError, errors.AlgorithmNotAllowedError),
    ],
)
def test_each_error_is_the_gatepass_error_and_its_pyjwt_name(
    token_kwargs: dict[str, object],
    decode_kwargs: dict[str, object],
    pyjwt_error: type[Exception],
    gatepass_error: type[errors.GatepassError],
) -> None:
    token = _token(**token_kwargs)
    kwargs = {"algorithms": ["HS256"], **decode_kwargs}
    with pytest.raises(pyjwt_error) as raised:
        jwt.decode(token, SECRET, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]
    assert isinstance(raised.value, gatepass_error)
    assert isinstance(raised.value, jwt.InvalidTokenError)
    assert isinstance(raised.value, jwt.PyJWTError)
    assert raised.value.code == gatepass_error.code or isinstance(raised.value, errors.ClaimError)


def test_bad_signature_and_malformed_tokens() -> None:
    token = _token()
    other = "o" * 32
    with pytest.raises(jwt.InvalidSignatureError) as bad:
        jwt.decode(token, other, algorithms=["HS256"], clock=lambda: NOW)
    assert isinstance(bad.value, errors.BadSignatureError)
    assert bad.value.code == "bad_signature"
    assert isinstance(bad.value, jwt.DecodeError)
    with pytest.raises(jwt.DecodeError) as malformed:
        jwt.decode("not.a-token", SECRET, algorithms=["HS256"])
    assert isinstance(malformed.value, errors.MalformedTokenError)
    with pytest.raises(jwt.exceptions.InvalidKeyError) as short:
        jwt.decode(token, "short", algorithms=["HS256"])
    assert isinstance(short.value, errors.InvalidKeyError)


def test_pyjwt_hierarchy() -> None:
    ex = jwt.exceptions
    assert issubclass(ex.InvalidTokenError, ex.PyJWTError)
    assert issubclass(ex.DecodeError, ex.InvalidTokenError)
    assert issubclass(ex.InvalidSignatureError, ex.DecodeError)
    for name in (
        "ExpiredSignatureError",
        "InvalidAudienceError",
        "InvalidIssuerError",
        "InvalidIssuedAtError",
        "ImmatureSignatureError",
        "InvalidAlgorithmError",
        "MissingRequiredClaimError",
        "InvalidSubjectError",
        "InvalidJTIError",
    ):
        assert issubclass(getattr(ex, name), ex.InvalidTokenError), name
        assert getattr(jwt, name) is getattr(ex, name)
    assert issubclass(ex.PyJWKClientConnectionError, ex.PyJWKClientError)
    assert not issubclass(ex.InvalidKeyError, ex.InvalidTokenError)
    assert issubclass(ex.PyJWTError, errors.JoseError)


def test_options_with_pyjwt_keys() -> None:
    untimed = jwt.encode({"sub": "42"}, SECRET, require_exp=False)
    with pytest.raises(jwt.MissingRequiredClaimError):
        jwt.decode(untimed, SECRET, algorithms=["HS256"])
    assert jwt.decode(untimed, SECRET, algorithms=["HS256"], options={"require": []})
    with pytest.raises(jwt.MissingRequiredClaimError):
        jwt.decode(_token(), SECRET, algorithms=["HS256"], options={"require": ["jti"]})
    listed = _token(aud=["api", "other"])
    assert jwt.decode(listed, SECRET, algorithms=["HS256"], audience="api", clock=lambda: NOW)
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(
            listed, SECRET, ["HS256"], {"strict_aud": True}, audience="api", clock=lambda: NOW
        )
    int_sub = jwt.encode({"exp": NOW + 60}, SECRET, sensitive_claims=())
    assert jwt.decode(int_sub, SECRET, ["HS256"], {"verify_sub": False}, clock=lambda: NOW) == {
        "exp": NOW + 60
    }


def test_decode_complete_and_unverified_header() -> None:
    token = jwt.encode({"exp": NOW + 60}, SECRET, headers={"kid": "k1"})
    complete = jwt.decode_complete(token, SECRET, algorithms=["HS256"], clock=lambda: NOW)
    assert complete["payload"] == {"exp": NOW + 60}
    assert complete["header"] == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    assert len(complete["signature"]) == 32
    assert jwt.get_unverified_header(token)["kid"] == "k1"
    assert PyJWT({"verify_exp": False}).decode(jwt.encode({"exp": 1}, SECRET), SECRET, ["HS256"])


def test_pyjwk_and_pyjwkset() -> None:
    private = Key.generate("ES256", kid="k1")
    jwk = jwt.PyJWK(private.export_jwk(private=True))
    assert (jwk.algorithm_name, jwk.key_id, jwk.key_type) == ("ES256", "k1", "EC")
    token = jwt.encode({"exp": NOW + 60}, jwk)
    public = jwt.PyJWKSet.from_dict({"keys": [private.public_key().export_jwk()]})
    assert jwt.decode(token, public["k1"], clock=lambda: NOW) == {"exp": NOW + 60}
    assert jwt.decode(token, public, algorithms=["ES256"], clock=lambda: NOW)
    with pytest.raises(jwt.PyJWKSetError):
        jwt.PyJWKSet([{"kty": "unknown"}])


class _JWKS:
    """A JWKS endpoint for httpx.MockTransport that counts requests."""

    def __init__(self, keys: KeySet) -> None:
        self.keys, self.requests, self.down = keys, 0, False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            return httpx.Response(503)
        body = json.dumps(self.keys.export_jwks()).encode()
        return httpx.Response(200, stream=httpx.ByteStream(body))


def test_pyjwk_client_caches_and_refetches_once_per_cooldown() -> None:
    signing = Key.generate("ES256", kid="k1")
    endpoint = _JWKS(KeySet([signing.public_key()]))
    now = [0.0]
    client = jwt.PyJWKClient(
        "https://id.example/jwks",
        lifespan=300,
        http=httpx.Client(transport=httpx.MockTransport(endpoint)),
        clock=lambda: now[0],
    )
    token = jwt.encode({"exp": NOW + 60}, signing)
    key = client.get_signing_key_from_jwt(token)
    assert jwt.decode(token, key, clock=lambda: NOW) == {"exp": NOW + 60}
    client.get_signing_key("k1")
    assert endpoint.requests == 1  # cached
    with pytest.raises(jwt.PyJWKClientError):  # within the cooldown of the first fetch
        client.get_signing_key("made-up")
    assert endpoint.requests == 1
    now[0] = 31.0
    for _ in range(5):  # made-up kids: one refetch per cooldown, not one per token
        with pytest.raises(jwt.PyJWKClientError):
            client.get_signing_key("made-up")
    assert endpoint.requests == 2
    now[0] = 62.0
    with pytest.raises(jwt.PyJWKClientError):
        client.get_signing_key("made-up")
    assert endpoint.requests == 3
    endpoint.down = True
    now[0] = 400.0  # stale, and the endpoint fails: the last good set is kept
    assert client.get_signing_key("k1").key_id == "k1"
    assert endpoint.requests == 4


def test_pyjwk_client_without_any_set_and_unsafe_settings() -> None:
    endpoint = _JWKS(KeySet([Key.generate("ES256").public_key()]))
    endpoint.down = True
    client = jwt.PyJWKClient(
        "https://id.example/jwks", http=httpx.Client(transport=httpx.MockTransport(endpoint))
    )
    with pytest.raises(jwt.PyJWKClientConnectionError):
        client.get_signing_keys()
    with pytest.raises(TypeError):
        jwt.PyJWKClient("https://id.example/jwks", cache_jwk_set=False)
    with pytest.raises(errors.ConfigError):
        jwt.PyJWKClient("http://id.example/jwks")
