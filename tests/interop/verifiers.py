"""The Python verifiers people use, each called the way its documentation shows.

Each function takes a token and what to expect (JWKS URL, issuer, audience,
the algorithms to allow) and returns the verified ``sub``, or raises whatever
that library raises. ``SUPPORTED`` is which library verifies which signing
algorithm (tested, not assumed: the tests assert the rest are refused).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

# First: importing it adds an "always" filter for its own warning.
import authlib.deprecate  # noqa: F401
import httpx
import jwt as pyjwt
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import KeySet as JoserfcKeySet
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

from jose import jwt as python_jose

with warnings.catch_warnings():
    # authlib.jose is deprecated in favour of joserfc, and still widely used.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, JsonWebToken

ALL: Final = frozenset({"ES256", "RS256", "PS256", "EdDSA"})


@dataclass(frozen=True)
class Expected:
    jwks_uri: str
    issuer: str
    audience: str
    algorithms: tuple[str, ...]

    def checks(self) -> dict[str, Any]:
        """PyJWT's ``decode`` keywords, which python-jose shares."""
        return {
            "algorithms": list(self.algorithms),
            "audience": self.audience,
            "issuer": self.issuer,
        }

    def jwks(self) -> dict[str, Any]:
        reply = httpx.get(self.jwks_uri, timeout=5)
        reply.raise_for_status()
        keys: dict[str, Any] = reply.json()
        return keys


def pyjwt_jwks_client(token: str, expected: Expected) -> str:
    key = pyjwt.PyJWKClient(expected.jwks_uri).get_signing_key_from_jwt(token)
    claims = pyjwt.decode(token, key, **expected.checks())
    return str(claims["sub"])


def python_jose_jwks(token: str, expected: Expected) -> str:
    """The key whose ``kid`` the token names, as Auth0's python-jose samples do.

    Given the whole set, python-jose tries every key and fails on the first it
    cannot load (an EdDSA key left in the JWKS by a rotation), so even ES256
    tokens would fail while that key is published.
    """
    kid = python_jose.get_unverified_header(token).get("kid")
    key = next((k for k in expected.jwks()["keys"] if k.get("kid") == kid), None)
    if key is None:
        raise LookupError("no key for this kid")
    claims = python_jose.decode(token, key, **expected.checks())
    return str(claims["sub"])


def authlib_jose(token: str, expected: Expected) -> str:
    keys = JsonWebKey.import_key_set(expected.jwks())
    options = {
        "iss": {"essential": True, "value": expected.issuer},
        "aud": {"essential": True, "value": expected.audience},
    }
    claims = JsonWebToken(list(expected.algorithms)).decode(token, keys, claims_options=options)
    claims.validate()
    return str(claims["sub"])


def joserfc(token: str, expected: Expected) -> str:
    keys = JoserfcKeySet.import_key_set(expected.jwks())  # type: ignore[arg-type]
    with warnings.catch_warnings():
        # joserfc warns that "EdDSA" is deprecated by RFC 9864 (in favour of "Ed25519").
        warnings.simplefilter("ignore")
        verified = joserfc_jwt.decode(token, keys, algorithms=list(expected.algorithms))
    joserfc_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": expected.issuer},
        aud={"essential": True, "value": expected.audience},
        exp={"essential": True},
    ).validate(verified.claims)
    return str(verified.claims["sub"])


def jwcrypto(token: str, expected: Expected) -> str:
    keys = jwcrypto_jwk.JWKSet.from_json(json.dumps(expected.jwks()))
    verified = jwcrypto_jwt.JWT(
        jwt=token,
        key=keys,
        algs=list(expected.algorithms),
        expected_type="JWS",
        check_claims={"iss": expected.issuer, "aud": expected.audience, "exp": None},
    )
    return str(json.loads(verified.claims)["sub"])


PYTHON_VERIFIERS: Final[Mapping[str, Callable[[str, Expected], str]]] = {
    "pyjwt": pyjwt_jwks_client,
    "python-jose": python_jose_jwks,
    "authlib": authlib_jose,
    "joserfc": joserfc,
    "jwcrypto": jwcrypto,
}

#: Which library verifies which of gatepass's signing algorithms.
SUPPORTED: Final[Mapping[str, frozenset[str]]] = {
    "pyjwt": ALL,
    "python-jose": frozenset({"ES256", "RS256"}),  # no PS256, no OKP keys
    "authlib": ALL,
    "joserfc": ALL,
    "jwcrypto": ALL,
    "node jose": ALL,  # createRemoteJWKSet + jwtVerify
    "node jsonwebtoken": frozenset({"ES256", "RS256", "PS256"}),  # + jwks-rsa; no Ed25519
}

#: How a library says it cannot verify an algorithm it does not support.
UNSUPPORTED: Final[Mapping[str, str]] = {
    "python-jose": "Unable to find an algorithm for key",
    "node jsonwebtoken": 'Unknown key type "ed25519"',
}
