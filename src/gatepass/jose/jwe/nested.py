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

from gatepass.errors import ClaimError, InvalidKeyError, JoseError, MalformedTokenError
from gatepass.jose import jwt
from gatepass.jose.claims import Expected
from gatepass.jose.exceptions import as_pyjwt
from gatepass.jose.expectations import Expectations
from gatepass.jose.jwe.operations import DEFAULT_MAX_DECOMPRESSED, decrypt, encrypt
from gatepass.jose.keys import Key
from gatepass.jose.keyset import KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits
from gatepass.jose.verifier import Verifier

__all__ = ["NestedVerifier", "decrypt_then_verify", "sign_then_encrypt"]

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


class NestedVerifier:
    """``decrypt_then_verify`` with its keys, allow-lists and ``Expectations`` resolved once.

    ``algorithms``/``encryptions`` allow-list the outer JWE; ``expect`` is what
    the inner JWS must satisfy (``expect.algorithms`` its allow-list,
    ``expect.typ`` its required type).
    """

    __slots__ = (
        "_algorithms", "_allow_zip", "_decryption_key", "_encryptions",
        "_inner", "_limits", "_max_decompressed", "_typ",
    )  # fmt: skip

    def __init__(
        self,
        decryption_key: Key | KeySet,
        verification_key: Key | KeySet,
        expect: Expectations,
        *,
        algorithms: Collection[str],
        encryptions: Collection[str],
        allow_zip: bool = False,
        max_decompressed: int = DEFAULT_MAX_DECOMPRESSED,
    ) -> None:
        self._typ = _normal_media_type(_checked_typ(expect.typ))  # type: ignore[arg-type]
        _check_separate(decryption_key, verification_key)
        self._decryption_key = decryption_key
        self._algorithms, self._encryptions = algorithms, encryptions
        self._allow_zip, self._max_decompressed = allow_zip, max_decompressed
        self._limits = expect.limits
        self._inner = Verifier(verification_key, expect=expect)

    def decode(self, token: str | bytes) -> dict[str, Any]:
        """Decrypt a nested JWT, verify the inner JWS and its claims; return the claims."""
        header, inner = decrypt(
            token,
            self._decryption_key,
            algorithms=self._algorithms,
            encryptions=self._encryptions,
            limits=self._limits,
            allow_zip=self._allow_zip,
            max_decompressed=self._max_decompressed,
        )
        cty = header.get("cty")
        if not isinstance(cty, str) or _normal_media_type(cty) != "jwt":
            raise MalformedTokenError("The encrypted token does not hold a nested JWT")
        outer_typ = header.get("typ")
        if outer_typ is not None and _normal_media_type(outer_typ) != self._typ:
            raise ClaimError("typ", "The token's type is not the one expected")
        if inner.count(b".") != 2:
            raise MalformedTokenError("A nested token must hold a signed JWT")
        try:
            return self._inner.decode(inner)
        except JoseError as exc:  # as jwt.decode raises them: the gatepass error and PyJWT's name
            raise as_pyjwt(exc) from None


def decrypt_then_verify(
    token: str | bytes,
    decryption_key: Key | KeySet,
    verification_key: Key | KeySet,
    *,
    algorithms: Collection[str],
    encryptions: Collection[str],
    expect: Expectations | None = None,
    typ: str | None = None,
    signing_algorithms: Collection[str] | None = None,
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

    ``algorithms``/``encryptions`` allow-list the outer JWE; the inner JWS must
    meet ``expect``, or the ``Expectations`` the other keyword arguments make
    (``signing_algorithms`` its allow-list, ``typ`` required): the claim checks
    are those of ``jwt.decode``. Hot paths keep a ``NestedVerifier``.
    """
    if expect is None:
        if typ is None:
            raise TypeError("typ must be a non-empty string")
        expect = Expectations(
            signing_algorithms, issuer, audience, subject, typ, leeway,
            required, max_age, clock, limits=limits,
        )  # fmt: skip
    elif typ is not None or signing_algorithms is not None:
        raise TypeError("Give decrypt_then_verify its Expectations or their arguments, not both")
    verifier = NestedVerifier(
        decryption_key,
        verification_key,
        expect,
        algorithms=algorithms,
        encryptions=encryptions,
        allow_zip=allow_zip,
        max_decompressed=max_decompressed,
    )
    return verifier.decode(token)
