"""Tokens of other issuers: profiles, ``require=``, and HS256 secrets whatever the ``kid``."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt as pyjwt
import pytest

from gatepass.errors import ConfigError, InvalidTokenError
from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, profiles
from tests.protect.helpers import AUDIENCE, ISSUER, mint

SIGNING = Key.generate("ES256")
PEM = SIGNING.export_pem(private=True)
SECRET = secrets.token_urlsafe(48)


def pyjwt_token(claims: dict[str, Any], *, typ: str | None = "JWT", **headers: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, **claims}
    if typ is not None:
        headers["typ"] = typ
    return pyjwt.encode(payload, PEM, algorithm="ES256", headers=headers)


def auth_for(**options: Any) -> Authenticator:
    return Authenticator(
        issuer=ISSUER, audience=AUDIENCE, keys=KeySet([SIGNING.public_key()]), **options
    )


async def test_the_default_profile_is_gatepass_own_tokens() -> None:
    auth = auth_for()
    assert auth.profile is profiles.GATEPASS
    assert (await auth.authenticate(mint(SIGNING))).sid == "session-1"
    plain = pyjwt_token({"sub": "42"})
    with pytest.raises(InvalidTokenError):  # typ JWT, and no sid/jti/iat
        await auth.authenticate(plain)


async def test_rfc9068_tokens_need_their_typ_and_claims() -> None:
    auth = auth_for(profile=profiles.RFC9068)
    now = int(time.time())
    claims = {"sub": "42", "client_id": "spa", "iat": now, "jti": "j1", "scope": "read"}
    principal = await auth.authenticate(pyjwt_token(claims, typ="at+jwt"))
    assert (principal.sub, principal.sid, principal.jti) == ("42", None, "j1")
    assert principal.scopes == {"read"}
    for missing in ("client_id", "jti", "iat"):
        partial = {k: v for k, v in claims.items() if k != missing}
        with pytest.raises(InvalidTokenError):
            await auth.authenticate(pyjwt_token(partial, typ="at+jwt"))
    with pytest.raises(InvalidTokenError):  # an id_token or other JWT of the issuer
        await auth.authenticate(pyjwt_token(claims, typ="JWT"))


async def test_the_jwt_profile_takes_untyped_tokens_but_checks_iss_aud_exp() -> None:
    auth = auth_for(profile=profiles.JWT)
    for typ in ("JWT", None):
        principal = await auth.authenticate(pyjwt_token({"sub": "7"}, typ=typ))
        assert (principal.sub, principal.sid) == ("7", None)
    for bad in ({"iss": "https://evil.example"}, {"aud": "other"}, {"exp": 1}, {"sub": 5}):
        with pytest.raises(InvalidTokenError):
            await auth.authenticate(pyjwt_token({"sub": "7", **bad}))
    with pytest.raises(InvalidTokenError):  # sub is still required
        await auth.authenticate(pyjwt_token({"email": "a@example.com"}))


async def test_require_overrides_the_profiles_claims() -> None:
    auth = auth_for(profile=profiles.JWT, require=["sub", "tenant"])
    with pytest.raises(InvalidTokenError):
        await auth.authenticate(pyjwt_token({"sub": "7"}))
    principal = await auth.authenticate(pyjwt_token({"sub": "7", "tenant": "t1"}))
    assert principal.claims["tenant"] == "t1"


@pytest.mark.parametrize("kid", [None, "hs256", "k-2024-01", "anything"])
async def test_a_shared_secret_verifies_whatever_kid_the_issuer_names(kid: str | None) -> None:
    """As `gatepass token verify --secret-env` does: one secret, so the kid is no lookup."""
    auth = Authenticator(issuer=ISSUER, audience=AUDIENCE, secret=SECRET, profile=profiles.JWT)
    headers = {} if kid is None else {"kid": kid}
    payload = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60, "sub": "1"}
    token = pyjwt.encode(payload, SECRET, algorithm="HS256", headers=headers)
    assert (await auth.authenticate(token)).sub == "1"
    forged = pyjwt.encode(payload, secrets.token_urlsafe(48), algorithm="HS256", headers=headers)
    with pytest.raises(InvalidTokenError):
        await auth.authenticate(forged)


def test_bad_profile_options_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        auth_for(profile="jwt")
    with pytest.raises(ConfigError):
        auth_for(require="sub")


def _python_jose(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    from jose import jwt as jose_jwt

    token: str = jose_jwt.encode(claims, PEM.decode(), algorithm="ES256", headers=headers)
    return token


def _joserfc(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    """Authlib's JOSE, now its own package (authlib.jose is deprecated for it)."""
    from joserfc import jwk as joserfc_jwk
    from joserfc import jwt as joserfc_jwt

    key = joserfc_jwk.ECKey.import_key(PEM)
    token: str = joserfc_jwt.encode({"alg": "ES256", **headers}, claims, key)
    return token


def _jwcrypto(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    from jwcrypto import jwk
    from jwcrypto import jwt as jwcrypto_jwt

    token = jwcrypto_jwt.JWT(header={"alg": "ES256", **headers}, claims=claims)
    token.make_signed_token(jwk.JWK.from_pem(PEM))
    serialized: str = token.serialize()
    return serialized


def _pyjwt(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    return pyjwt.encode(claims, PEM, algorithm="ES256", headers=headers)


MINTERS = {
    "pyjwt": _pyjwt,
    "python-jose": _python_jose,
    "joserfc (authlib)": _joserfc,
    "jwcrypto": _jwcrypto,
}


@pytest.mark.parametrize("library", sorted(MINTERS))
async def test_tokens_minted_by_other_libraries_pass_under_the_matching_profile(
    library: str,
) -> None:
    mint_with = MINTERS[library]
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "sub": "42"}
    rfc9068 = {**base, "iat": now, "jti": "j-1", "client_id": "cli"}
    typed = mint_with(rfc9068, {"typ": "at+jwt"})
    untyped = mint_with(base, {"typ": "JWT"})

    assert (await auth_for(profile=profiles.RFC9068).authenticate(typed)).jti == "j-1"
    assert (await auth_for(profile=profiles.JWT).authenticate(untyped)).sub == "42"
    with pytest.raises(InvalidTokenError):  # a plain JWT is no RFC 9068 access token
        await auth_for(profile=profiles.RFC9068).authenticate(untyped)
    with pytest.raises(InvalidTokenError):  # and neither is a gatepass one (no sid)
        await auth_for().authenticate(typed)
    head, payload, signature = typed.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(InvalidTokenError):
        await auth_for(profile=profiles.RFC9068).authenticate(tampered)
