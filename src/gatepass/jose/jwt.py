"""JSON Web Tokens with PyJWT's API: ``import gatepass.jose.jwt as jwt`` for ``import jwt``.

``encode``, ``decode``, ``decode_complete``, ``get_unverified_header``,
``PyJWT``, ``PyJWS``, ``PyJWK``, ``PyJWKSet``, ``PyJWKClient`` and PyJWT's
exceptions (also as ``jwt.exceptions``) take the same arguments in the same
order as PyJWT 2.x. What gatepass refuses that PyJWT allows (a token without
``exp``, short HMAC keys, ``alg: none``, claims named like secrets, ...) is
listed, with the named way out of each, in docs/migrating-from-pyjwt.md.

``options={"verify_signature": False}`` reads a token without verifying it
and checks only what the options ask for, as in PyJWT; ``decode_unverified``
does the same by name. ``Verifier`` does what ``decode`` does with
everything resolved once, for hot paths. Every error ``decode`` raises is the
gatepass error (``gatepass.errors``, stable ``code``) and its PyJWT name.
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from gatepass.errors import JoseError, MissingClaimError, SensitiveClaimError
from gatepass.jose import exceptions, jws
from gatepass.jose._b64 import b64decode, b64decode_segment
from gatepass.jose._json import dumps, loads_object
from gatepass.jose.claims import Expected, validate_claims
from gatepass.jose.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
    as_pyjwt,
)
from gatepass.jose.expectations import Clock, Expectations
from gatepass.jose.limits import DEFAULT_LIMITS, Limits
from gatepass.jose.options import claim_rules, verifies_signature
from gatepass.jose.pyjwt.api_jwk import PyJWK, PyJWKSet
from gatepass.jose.pyjwt.api_jws import PyJWS, get_unverified_header, sign_compact
from gatepass.jose.pyjwt.jwks_client import PyJWKClient
from gatepass.jose.sensitive import DEFAULT_SENSITIVE_CLAIMS, find_sensitive
from gatepass.jose.verifier import KeyLike, Verifier, check_typ, normal_typ

__all__ = [
    "DEFAULT_SENSITIVE_CLAIMS",
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "MissingRequiredClaimError",
    "PyJWK",
    "PyJWKClient",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSet",
    "PyJWKSetError",
    "PyJWS",
    "PyJWT",
    "PyJWTError",
    "Verifier",
    "decode",
    "decode_complete",
    "decode_unverified",
    "encode",
    "exceptions",
    "get_unverified_header",
]


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return calendar.timegm(value.utctimetuple())
    return value


def encode(
    payload: Mapping[str, Any],
    key: KeyLike,
    algorithm: str | None = None,
    headers: Mapping[str, Any] | None = None,
    json_encoder: type[json.JSONEncoder] | None = None,
    sort_headers: bool = True,
    *,
    require_exp: bool = True,
    sensitive_claims: Iterable[str] = DEFAULT_SENSITIVE_CLAIMS,
) -> str:
    """Sign ``payload`` as a JWT (``typ: JWT``), PyJWT's ``jwt.encode``.

    ``algorithm`` defaults to the key's own, else HS256; an ``alg`` in
    ``headers`` wins, and ``typ: None`` there drops ``typ``, as in PyJWT.
    Refuses a payload without ``exp`` unless ``require_exp=False``, claims
    named like secrets unless ``sensitive_claims=()``, and a non-string
    ``iss`` or ``sub`` (RFC 7519: StringOrURI) with TypeError.
    """
    if not isinstance(payload, Mapping):
        raise TypeError("The JWT payload must be a mapping")
    claims = {k: _timestamp(v) if k in ("exp", "iat", "nbf") else v for k, v in payload.items()}
    for name in ("iss", "sub"):
        if name in claims and not isinstance(claims[name], str):
            raise TypeError(f"The {name!r} claim must be a string")
    try:
        if require_exp and "exp" not in claims:
            raise MissingClaimError(
                "exp", "Refusing to sign a token without 'exp'; pass require_exp=False to allow it"
            )
        names = (
            sensitive_claims
            if isinstance(sensitive_claims, frozenset)
            else frozenset(sensitive_claims)
        )
        found = find_sensitive(claims, names) if names else None
        if found is not None:
            raise SensitiveClaimError(found)
        body = (
            dumps(claims)
            if json_encoder is None
            else json.dumps(claims, separators=(",", ":"), cls=json_encoder).encode()
        )
        return sign_compact(body, key, algorithm, headers, sort_headers=sort_headers)
    except JoseError as exc:
        raise as_pyjwt(exc) from None


def decode_unverified(
    token: str | bytes, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read ``(header, claims)`` WITHOUT verifying anything. Never trust the result."""
    try:
        h64, p64, _ = jws.split(token, limits)
        header = jws.parse_header(h64)
        return header, loads_object(b64decode(p64, checked_alphabet=True), "The token payload")
    except JoseError as exc:
        raise as_pyjwt(exc) from None


def _refuse_unsupported(verify: bool | None, detached_payload: bytes | None) -> None:
    if verify is not None:
        raise TypeError("decode(verify=...) is gone; use options={'verify_signature': ...}")
    if detached_payload is not None:
        raise DecodeError("Detached payloads (RFC 7797, b64=false) are not supported")


def decode_complete(
    jwt: str | bytes,
    key: KeyLike = "",
    algorithms: Collection[str] | str | None = None,
    options: Mapping[str, Any] | None = None,
    verify: bool | None = None,
    detached_payload: bytes | None = None,
    audience: Expected = None,
    issuer: Expected = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    *,
    typ: str | None = None,
    required: Iterable[str] = (),
    max_age: float | timedelta | None = None,
    clock: Clock | None = None,
    limits: Limits = DEFAULT_LIMITS,
    crit: Collection[str] = (),
) -> dict[str, Any]:
    """``decode``, returning ``{"header", "payload", "signature"}`` as PyJWT does."""
    _refuse_unsupported(verify, detached_payload)
    try:
        fields = _fields(
            key, algorithms, issuer, audience, subject, typ,
            leeway, required, max_age, clock, crit, limits,
        )  # fmt: skip
        header, claims = _read(jwt, key, options, fields)
        signature = b64decode_segment(jws.split(jwt, limits)[2])
    except JoseError as exc:
        raise as_pyjwt(exc) from None
    return {"header": header, "payload": claims, "signature": signature}


def decode(
    jwt: str | bytes,
    key: KeyLike = "",
    algorithms: Collection[str] | str | None = None,
    options: Mapping[str, Any] | None = None,
    verify: bool | None = None,
    detached_payload: bytes | None = None,
    audience: Expected = None,
    subject: str | None = None,
    issuer: Expected = None,
    leeway: float | timedelta = 0,
    *,
    typ: str | None = None,
    required: Iterable[str] = (),
    max_age: float | timedelta | None = None,
    clock: Clock | None = None,
    limits: Limits = DEFAULT_LIMITS,
    crit: Collection[str] = (),
) -> dict[str, Any]:
    """Verify ``jwt`` and return its claims (PyJWT's ``jwt.decode``, same argument order).

    ``algorithms`` is required (it defaults to a ``PyJWK``'s own algorithm);
    asking for an ``audience``/``issuer`` makes the claim required; ``exp`` is
    required unless ``options`` says otherwise (see ``gatepass.jose.options``).
    ``clock`` (seconds since the epoch) defaults to ``time.time``, read at each call.
    The arguments other than the token, key and options are an ``Expectations``.
    """
    if verify is not None or detached_payload is not None:
        _refuse_unsupported(verify, detached_payload)
    try:
        fields = _fields(
            key, algorithms, issuer, audience, subject, typ,
            leeway, required, max_age, clock, crit, limits,
        )  # fmt: skip
        if options:
            return _read(jwt, key, options, fields)[1]
        return _verifier(key, fields).decode(jwt)  # the hot path: a cached Verifier
    except JoseError as exc:
        raise as_pyjwt(exc) from None


def _fields(
    key: KeyLike,
    algorithms: Collection[str] | str | None,
    issuer: Expected,
    audience: Expected,
    subject: str | None,
    typ: str | None,
    leeway: float | timedelta,
    required: Iterable[str],
    max_age: float | timedelta | None,
    clock: Clock | None,
    crit: Collection[str],
    limits: Limits,
) -> tuple[Any, ...]:
    """``Expectations``' fields in order, hashable where the caller gave lists.

    ``decode`` is called with the same arguments on every request of an app,
    so this tuple, not an ``Expectations``, is what its Verifier cache is keyed
    by: building and hashing a dataclass costs more than the rest of the
    lookup. For the same reason the default ``Limits`` is keyed as None.
    """
    if algorithms is None and isinstance(key, PyJWK):
        algorithms = (key.algorithm_name,)
    return (
        tuple(algorithms) if algorithms.__class__ is list else algorithms,
        tuple(issuer) if issuer.__class__ is list else issuer,
        tuple(audience) if audience.__class__ is list else audience,
        subject,
        typ,
        leeway,
        tuple(required) if required.__class__ is list else required,
        max_age,
        clock,
        tuple(crit) if crit.__class__ is list else crit,
        None if limits is DEFAULT_LIMITS else limits,
    )


def _expectations(fields: tuple[Any, ...]) -> Expectations:
    return Expectations(*(*fields[:-1], fields[-1] or DEFAULT_LIMITS))


def _read(
    jwt: str | bytes, key: KeyLike, options: Mapping[str, Any] | None, fields: tuple[Any, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, claims)``: verified, or read unverified when the options say so by name."""
    if options and not verifies_signature(options):
        expect = _expectations(fields)
        rules = claim_rules(
            expect.audience, expect.issuer, expect.subject, expect.leeway,
            options, expect.required, expect.max_age,
        )  # fmt: skip
        header, claims = decode_unverified(jwt, limits=expect.limits)
        if expect.typ is not None:
            check_typ(header, normal_typ(expect.typ))
        validate_claims(claims, rules, time.time() if expect.clock is None else expect.clock())
        return header, claims
    if options:
        return Verifier(key, options=options, expect=_expectations(fields)).decode_complete(jwt)
    return _verifier(key, fields).decode_complete(jwt)


def _verifier(key: KeyLike, fields: tuple[Any, ...]) -> Verifier:
    try:
        return _cached_verifier(key, fields)
    except TypeError as exc:  # an argument is not hashable: build without the cache
        if "unhashable" not in str(exc):
            raise
        return _build_verifier(key, fields)


def _build_verifier(key: KeyLike, fields: tuple[Any, ...]) -> Verifier:
    return Verifier(key, expect=_expectations(fields))


# Building the Verifier once per distinct argument set keeps ``decode`` as fast
# as a prepared Verifier. Pure: a Verifier's behaviour depends only on these
# arguments (a default clock is looked up at each call, never captured).
_cached_verifier = lru_cache(maxsize=32)(_build_verifier)

# PyJWT's class is built on the functions above, so it is imported after them.
from gatepass.jose.pyjwt.api_jwt import PyJWT  # noqa: E402
