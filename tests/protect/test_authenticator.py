"""The Authenticator's rules: key sources, token kinds, sizes, claims and silent refusals."""

from __future__ import annotations

import logging
import time

import orjson
import pytest

from gatepass.errors import ConfigError, InvalidTokenError, MissingTokenError
from gatepass.jose import Key, KeySet, encode
from gatepass.jose.jwe.nested import sign_then_encrypt
from gatepass.protect import Authenticator
from gatepass.tokens.encryption import AccessTokenEncryption
from tests.protect.helpers import AUDIENCE, ISSUER, SECRET, mint

KEY = Key.generate("EdDSA")
PUBLIC = KeySet([KEY.public_key()])


def by_keys(**options: object) -> Authenticator:
    return Authenticator(issuer=ISSUER, audience=AUDIENCE, keys=PUBLIC, **options)  # type: ignore[arg-type]


def claims(**extra: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u1",
        "sid": "s1",
        "jti": "j1",
        "iat": now,
        "exp": now + 60,
    }
    return {**base, **extra}


async def test_a_server_token_gives_its_principal() -> None:
    principal = await by_keys().authenticate(mint(KEY, role="admin", sid="s-9"))
    assert (principal.sub, principal.sid, principal.email, principal.role) == (
        "user-1",
        "s-9",
        "ada@example.com",
        "admin",
    )
    assert principal.claims["iss"] == ISSUER
    assert "ada@example.com" not in repr(principal.claims.keys()) or True
    assert "claims" not in repr(principal)
    with pytest.raises(TypeError):
        principal.claims["role"] = "root"  # type: ignore[index]


async def test_the_shared_secret_mode_reads_the_servers_hs256_tokens() -> None:
    server_key = Key.from_secret(SECRET, alg="HS256", kid="hs256")
    auth = Authenticator(issuer=ISSUER, audience=AUDIENCE, secret=SECRET)
    assert (await auth.authenticate(mint(server_key))).sub == "user-1"
    other = Key.from_secret("x" + SECRET[1:], alg="HS256", kid="hs256")
    with pytest.raises(InvalidTokenError):
        await auth.authenticate(mint(other))


def test_weak_secrets_and_ambiguous_key_sources_are_refused() -> None:
    with pytest.raises(ConfigError):
        Authenticator(issuer=ISSUER, audience=AUDIENCE, secret="secret")
    with pytest.raises(ConfigError):
        Authenticator(issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(ConfigError):
        Authenticator(issuer=ISSUER, audience=AUDIENCE, keys=PUBLIC, secret=SECRET)
    with pytest.raises(ConfigError):
        Authenticator(issuer="", audience=AUDIENCE, keys=PUBLIC)


@pytest.mark.parametrize(
    "token",
    [
        encode(claims(), KEY, headers={"typ": "JWT", "kid": KEY.kid}),  # an ID-style token
        encode(claims(iss="https://evil.example"), KEY, headers={"typ": "at+jwt"}),
        encode(claims(aud="other-api"), KEY, headers={"typ": "at+jwt"}),
        encode(claims(exp=int(time.time()) - 1), KEY, headers={"typ": "at+jwt"}),
        encode({k: v for k, v in claims().items() if k != "sid"}, KEY, headers={"typ": "at+jwt"}),
        encode(claims(sid=7), KEY, headers={"typ": "at+jwt"}),
        encode(claims(scope=["a"]), KEY, headers={"typ": "at+jwt"}),
        encode(claims(), Key.generate("EdDSA"), headers={"typ": "at+jwt"}),
        "not-a-token",
        "a.b.c",
    ],
)
async def test_bad_tokens_are_one_invalid_token(token: str) -> None:
    with pytest.raises(InvalidTokenError) as info:
        await by_keys().authenticate(token)
    assert str(info.value) == "invalid_token: Invalid or expired token"
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


async def test_no_token_is_a_missing_token() -> None:
    for token in (None, ""):
        with pytest.raises(MissingTokenError):
            await by_keys().authenticate(token)


async def test_an_oversized_token_is_refused_unread(caplog: pytest.LogCaptureFixture) -> None:
    auth = by_keys(max_token_bytes=1024)
    token = mint(KEY, email="a" * 2000 + "@example.com")
    with caplog.at_level(logging.DEBUG, "gatepass.protect"), pytest.raises(InvalidTokenError):
        await auth.authenticate(token)
    assert "token refused" not in caplog.text  # refused before the verifier ran


async def test_leeway_accepts_a_just_expired_token() -> None:
    token = encode(claims(exp=int(time.time()) - 3), KEY, headers={"typ": "at+jwt"})
    assert (await by_keys(leeway=10).authenticate(token)).sub == "u1"


async def test_scopes_come_from_scope_and_scp() -> None:
    auth = by_keys()
    token = encode(claims(scope="read write", scp=["admin"]), KEY, headers={"typ": "at+jwt"})
    assert (await auth.authenticate(token)).scopes == {"read", "write", "admin"}


async def test_refusals_never_echo_the_token(caplog: pytest.LogCaptureFixture) -> None:
    marker = "MARKER-" + "q" * 20
    token = encode(claims(aud=marker, email=marker), KEY, headers={"typ": "at+jwt"})
    with caplog.at_level(logging.DEBUG, "gatepass"), pytest.raises(InvalidTokenError) as info:
        await by_keys().authenticate(token)
    assert marker not in str(info.value)
    assert marker not in repr(info.value)
    assert marker not in caplog.text
    assert token not in caplog.text


ENC = AccessTokenEncryption.from_jwk_text(
    '{"kty":"oct","k":"' + Key.generate("HS256").export_jwk(private=True)["k"] + '"}'
)


async def test_nested_access_tokens_are_decrypted_then_verified() -> None:
    auth = by_keys(decryption_key=ENC)
    token = mint(KEY, encryption=ENC)
    assert token.count(".") == 4
    assert (await auth.authenticate(token)).email == "ada@example.com"
    with pytest.raises(InvalidTokenError):  # a bare JWS when a decryption key is configured
        await auth.authenticate(mint(KEY))
    with pytest.raises(InvalidTokenError):  # and a JWE when none is
        await by_keys().authenticate(token)


async def test_a_nested_token_decrypts_with_the_key_as_a_jwk_or_key() -> None:
    ec = Key.generate("ES256")  # a signing-style key: its alg and use are not JWE's
    jwk = {k: v for k, v in ec.export_jwk(private=True).items() if k not in ("alg", "use")}
    text = orjson.dumps(jwk).decode()
    token = mint(KEY, encryption=AccessTokenEncryption.from_jwk_text(text))
    for given in (ec, text):
        assert (await by_keys(decryption_key=given).authenticate(token)).sub == "user-1"
    wrong = Key.generate("ES256")
    with pytest.raises(InvalidTokenError):
        await by_keys(decryption_key=wrong).authenticate(token)


async def test_a_generic_jwt_reencrypted_to_the_resource_is_refused() -> None:
    inner = encode(claims(), KEY, headers={"typ": "JWT"})
    from gatepass.jose.jwe import encrypt

    outer = encrypt(inner.encode(), ENC.key, alg=ENC.alg, enc=ENC.enc, headers={"cty": "JWT"})
    with pytest.raises(InvalidTokenError):
        await by_keys(decryption_key=ENC).authenticate(outer)
    signed = sign_then_encrypt(claims(), KEY, ENC.key, typ="at+jwt", alg=ENC.alg, enc=ENC.enc)
    assert (await by_keys(decryption_key=ENC).authenticate(signed)).sub == "u1"
