"""Nested JWTs (RFC 7519 §5.2, §11.2): sign, then encrypt; decrypt, then verify.

The rules keep each kind of token to itself (RFC 8725 §3.11-3.12):

- the outer token must be a JWE whose ``cty`` is ``JWT``, and the inner one a
  JWS: a JWE inside a JWE, or a bare JWS where a nested token is expected, is
  refused;
- the inner JWS must carry the caller's explicit ``typ`` (required, and never
  the generic ``JWT``), so a plain signed JWT that anyone re-encrypts to the
  recipient's public key is not taken for a nested one; an outer ``typ``, when
  present, must match it too;
- the signing key and the encryption key must be different keys.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import timedelta
from typing import Any, Final

from gatepass.errors import ClaimError, InvalidKeyError, MalformedTokenError
from gatepass.jose import jwt
from gatepass.jose.claims import Expected
from gatepass.jose.jwe.operations import DEFAULT_MAX_DECOMPRESSED, decrypt, encrypt
from gatepass.jose.keys import Key
from gatepass.jose.keyset import KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits

__all__ = ["decrypt_then_verify", "sign_then_encrypt"]

_GENERIC: Final = frozenset({"jwt"})


def _normal_media_type(value: str) -> str:
    lowered = value.lower()
    return lowered[len("application/") :] if lowered.startswith("application/") else lowered


def _checked_typ(typ: str) -> str:
    if not isinstance(typ, str) or not typ:
        raise TypeError("typ must be a non-empty string")
    if _normal_media_type(typ) in _GENERIC:
        raise ValueError("A nested token needs its own typ (such as 'at+jwt'), not 'JWT'")
    return typ


def _keys(key: Key | KeySet) -> Iterable[Key]:
    return (key,) if isinstance(key, Key) else key


def _same_material(a: Key, b: Key) -> bool:
    if a.kty != b.kty:
        return False
    if a.kty == "oct":
        return (
            a.secret is not None
            and b.secret is not None
            and hmac.compare_digest(a.secret, b.secret)
        )
    return a.thumbprint() == b.thumbprint()


def _check_separate(first: Key | KeySet, second: Key | KeySet) -> None:
    for a in _keys(first):
        for b in _keys(second):
            if _same_material(a, b):
                raise InvalidKeyError("Signing and encryption must use different keys")


def sign_then_encrypt(
    claims: Mapping[str, Any],
    signing_key: Key,
    encryption_key: Key,
    *,
    typ: str,
    alg: str,
    enc: str,
    sign_alg: str | None = None,
    require_exp: bool = True,
) -> str:
    """Sign ``claims`` as a JWS of type ``typ``, then encrypt it to ``encryption_key``.

    Claims named like secrets are allowed here: the encryption is what keeps
    them secret.
    """
    _check_separate(signing_key, encryption_key)
    inner = jwt.encode(
        claims,
        signing_key,
        sign_alg,
        headers={"typ": _checked_typ(typ)},
        require_exp=require_exp,
        sensitive_claims=(),
    )
    return encrypt(
        inner.encode("ascii"), encryption_key, alg=alg, enc=enc, headers={"cty": "JWT", "typ": typ}
    )


def decrypt_then_verify(
    token: str | bytes,
    decryption_key: Key | KeySet,
    verification_key: Key | KeySet,
    *,
    typ: str,
    algorithms: Collection[str],
    encryptions: Collection[str],
    signing_algorithms: Collection[str],
    audience: Expected = None,
    issuer: Expected = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    required: Iterable[str] = (),
    max_age: float | timedelta | None = None,
    clock: Callable[[], float] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    allow_zip: bool = False,
    max_decompressed: int = DEFAULT_MAX_DECOMPRESSED,
) -> dict[str, Any]:
    """Decrypt a nested JWT, verify the inner JWS and its claims; return the claims.

    ``algorithms``/``encryptions`` allow-list the outer JWE, ``signing_algorithms``
    the inner JWS; the claim checks are those of ``jwt.decode``.
    """
    expected = _normal_media_type(_checked_typ(typ))
    _check_separate(decryption_key, verification_key)
    header, inner = decrypt(
        token,
        decryption_key,
        algorithms=algorithms,
        encryptions=encryptions,
        limits=limits,
        allow_zip=allow_zip,
        max_decompressed=max_decompressed,
    )
    cty = header.get("cty")
    if not isinstance(cty, str) or _normal_media_type(cty) != "jwt":
        raise MalformedTokenError("The encrypted token does not hold a nested JWT")
    outer_typ = header.get("typ")
    if outer_typ is not None and _normal_media_type(outer_typ) != expected:
        raise ClaimError("typ", "The token's type is not the one expected")
    if inner.count(b".") != 2:
        raise MalformedTokenError("A nested token must hold a signed JWT")
    return jwt.decode(
        inner,
        verification_key,
        algorithms=signing_algorithms,
        audience=audience,
        issuer=issuer,
        subject=subject,
        leeway=leeway,
        typ=typ,
        required=required,
        max_age=max_age,
        clock=clock,
        limits=limits,
    )
