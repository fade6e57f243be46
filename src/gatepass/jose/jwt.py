"""JSON Web Tokens with PyJWT's call shape: ``encode``, ``decode``, ``decode_unverified``.

``decode`` verifies the signature and the claims in one call; there is no
switch that skips the signature. ``decode_unverified`` is the one, clearly
named, way to read a token without verifying it. ``Verifier`` does what
``decode`` does with everything resolved once, for hot paths.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final

from gatepass.errors import (
    ClaimError,
    InvalidKeyError,
    MissingClaimError,
    SensitiveClaimError,
)
from gatepass.jose import jws
from gatepass.jose._b64 import b64decode
from gatepass.jose._json import dumps, loads_object
from gatepass.jose._keymaterial import looks_like_public_key_text
from gatepass.jose.algorithms import ALGORITHMS
from gatepass.jose.claims import ClaimRules, Expected, expected_set, validate_claims
from gatepass.jose.keys import Key, KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "DEFAULT_SENSITIVE_CLAIMS",
    "Verifier",
    "decode",
    "decode_unverified",
    "encode",
]

Clock = Callable[[], float]
KeyLike = Key | KeySet | str | bytes | object

#: Claim names ``encode`` refuses: a JWS payload is readable by anyone who holds it.
DEFAULT_SENSITIVE_CLAIMS: Final = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "client_secret",
        "private_key",
        "api_key",
        "ssn",
        "social_security_number",
        "credit_card",
        "card_number",
        "cc_number",
        "pan",
        "cvv",
        "cvv2",
        "cvc",
        "pin",
    }
)
_NON_ALNUM: Final = re.compile(r"[^a-z0-9]")
_OPTIONS: Final = frozenset(
    {
        "verify_signature",
        "require",
        "require_exp",
        "verify_exp",
        "verify_nbf",
        "verify_iat",
        "verify_aud",
        "verify_iss",
    }
)


_SWITCHES: Final = (
    "require_exp",
    "verify_exp",
    "verify_nbf",
    "verify_iat",
    "verify_aud",
    "verify_iss",
)


def _normalise(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


@lru_cache(maxsize=64)
def _stems(names: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Sensitive names normalised: matched exactly, and (6+ letters) as substrings."""
    exact = frozenset(_normalise(n) for n in names)
    return exact, tuple(sorted(s for s in exact if len(s) >= 6))


@lru_cache(maxsize=4096)
def _is_sensitive(name: str, names: frozenset[str]) -> bool:
    exact, substrings = _stems(names)
    norm = _normalise(name)
    return norm in exact or any(s in norm for s in substrings)


def _find_sensitive(claims: Mapping[str, Any], names: frozenset[str], depth: int = 0) -> str | None:
    for name, value in claims.items():
        if _is_sensitive(str(name), names):
            return str(name)
        if isinstance(value, Mapping) and depth < 4:
            found = _find_sensitive(value, names, depth + 1)
            if found is not None:
                return found
    return None


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return calendar.timegm(value.utctimetuple())
    return value


@lru_cache(maxsize=16)
def _key_from_text(text: str | bytes) -> Key:
    """A str/bytes key as PyJWT reads it: PEM text is a public/private key, else a secret.

    The decision is made once, from the text alone, never from the token's
    ``alg``: that is what closes the HMAC-with-a-public-key confusion.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if looks_like_public_key_text(raw) and raw.lstrip().startswith(b"-----BEGIN"):
        return Key.import_pem(raw)
    if looks_like_public_key_text(raw):
        raise InvalidKeyError("SSH and JWK text keys must be imported explicitly")
    return Key.from_secret(raw, alg=None)


def _coerce_key(key: KeyLike) -> Key | KeySet:
    if isinstance(key, Key | KeySet):
        return key
    if isinstance(key, str | bytes):
        return _key_from_text(key)
    return Key.from_crypto(key)


def encode(
    payload: Mapping[str, Any],
    key: KeyLike,
    algorithm: str | None = None,
    headers: Mapping[str, Any] | None = None,
    *,
    require_exp: bool = True,
    sensitive_claims: Iterable[str] = DEFAULT_SENSITIVE_CLAIMS,
) -> str:
    """Sign ``payload`` as a JWT (``typ: JWT``). Refuses a payload without ``exp``
    unless ``require_exp=False``, and claims named like secrets."""
    if not isinstance(payload, Mapping):
        raise TypeError("The JWT payload must be a mapping")
    claims = {k: _timestamp(v) if k in ("exp", "iat", "nbf") else v for k, v in payload.items()}
    if require_exp and "exp" not in claims:
        raise MissingClaimError(
            "exp", "Refusing to sign a token without 'exp'; pass require_exp=False to allow it"
        )
    names = (
        sensitive_claims if isinstance(sensitive_claims, frozenset) else frozenset(sensitive_claims)
    )
    found = _find_sensitive(claims, names) if names else None
    if found is not None:
        raise SensitiveClaimError(found)
    signing_key = _coerce_key(key)
    if isinstance(signing_key, KeySet):
        raise TypeError("Sign with one Key, not a KeySet")
    alg = algorithm or signing_key.alg or ("HS256" if isinstance(key, str | bytes) else None)
    merged = {"typ": "JWT", **(headers or {})}
    return jws.sign(dumps(claims), signing_key, alg, headers=merged)


def decode_unverified(
    token: str | bytes, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read ``(header, claims)`` WITHOUT verifying anything. Never trust the result."""
    h64, p64, _ = jws.split(token, limits)
    header = jws.parse_header(h64)
    return header, loads_object(b64decode(p64, checked_alphabet=True), "The token payload")


def _normal_typ(value: str) -> str:
    lowered = value.lower()
    return lowered[len("application/") :] if lowered.startswith("application/") else lowered


def _allow_list(algorithms: Collection[str] | str | None) -> Collection[str]:
    if not algorithms:
        raise TypeError("An explicit algorithms allow-list is required, e.g. ['HS256']")
    allowed = (algorithms,) if isinstance(algorithms, str) else algorithms
    for name in allowed:
        if name not in ALGORITHMS:
            raise ValueError("Unsupported algorithm in the allow-list")
    return allowed


def _seconds(value: float | timedelta | None, name: str) -> float | None:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise TypeError(f"{name} must be a number of seconds or a timedelta")


def _names(value: Iterable[str]) -> frozenset[str]:
    """Required claim names; a bare string would be read as its letters, so it is refused."""
    if isinstance(value, str | bytes):
        raise TypeError("Required claims must be a collection of claim names")
    names = frozenset(value)
    if not all(isinstance(n, str) for n in names):
        raise TypeError("Required claims must be a collection of claim names")
    return names


def _rules(
    audience: Expected,
    issuer: Expected,
    subject: str | None,
    leeway: float | timedelta,
    options: Mapping[str, Any] | None,
    required: Iterable[str],
    max_age: float | timedelta | None,
) -> ClaimRules:
    leeway_s, max_age_s = _seconds(leeway, "leeway"), _seconds(max_age, "max_age")
    if leeway_s is None:
        raise TypeError("leeway must be a number of seconds or a timedelta")
    if subject is not None and not isinstance(subject, str):
        raise TypeError("subject must be a string")
    aud, iss = expected_set(audience), expected_set(issuer)
    if not options:
        return ClaimRules(aud, iss, subject, leeway_s, _names(required), max_age_s)
    if not _OPTIONS.issuperset(options):
        raise TypeError(f"Unknown decode options: {sorted(set(options) - _OPTIONS)}")
    if options.get("verify_signature", True) is not True:
        raise TypeError("decode always verifies the signature; use decode_unverified")
    return ClaimRules(
        aud,
        iss,
        subject,
        leeway_s,
        _names(required) | _names(options.get("require", ())),
        max_age_s,
        *(bool(options.get(name, True)) for name in _SWITCHES),
    )


class Verifier:
    """``decode`` with its key, allow-list and rules resolved once."""

    __slots__ = ("_algorithms", "_clock", "_crit", "_key", "_limits", "_rules", "_typ")

    def __init__(
        self,
        key: KeyLike,
        *,
        algorithms: Collection[str] | str | None,
        audience: Expected = None,
        issuer: Expected = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        options: Mapping[str, Any] | None = None,
        typ: str | None = None,
        required: Iterable[str] = (),
        max_age: float | timedelta | None = None,
        clock: Clock | None = None,
        limits: Limits = DEFAULT_LIMITS,
        crit: Collection[str] = (),
    ) -> None:
        self._key = _coerce_key(key)
        self._algorithms = _allow_list(algorithms)
        self._typ = None if typ is None else _normal_typ(typ)
        self._clock = clock or time.time
        self._limits = limits
        self._crit = crit
        self._rules = _rules(audience, issuer, subject, leeway, options, required, max_age)

    def _verified(self, token: str | bytes) -> tuple[Mapping[str, Any], dict[str, Any]]:
        header, payload = jws.verify_shared(
            token, self._key, self._algorithms, self._limits, self._crit
        )
        if self._typ is not None:
            typ = header.get("typ")
            if typ != self._typ and (not isinstance(typ, str) or _normal_typ(typ) != self._typ):
                raise ClaimError("typ", "The token's type is not the one expected")
        claims = loads_object(payload, "The token payload")
        validate_claims(claims, self._rules, self._clock())
        return header, claims

    def decode_complete(self, token: str | bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        """Verify ``token``; return ``(header, claims)``."""
        header, claims = self._verified(token)
        return dict(header), claims

    def decode(self, token: str | bytes) -> dict[str, Any]:
        """Verify ``token``'s signature and claims; return the claims."""
        return self._verified(token)[1]


def decode(
    token: str | bytes,
    key: KeyLike,
    algorithms: Collection[str] | str | None = None,
    audience: Expected = None,
    issuer: Expected = None,
    leeway: float | timedelta = 0,
    options: Mapping[str, Any] | None = None,
    *,
    subject: str | None = None,
    typ: str | None = None,
    required: Iterable[str] = (),
    max_age: float | timedelta | None = None,
    clock: Clock | None = None,
    limits: Limits = DEFAULT_LIMITS,
    crit: Collection[str] = (),
) -> dict[str, Any]:
    """Verify ``token`` and return its claims (PyJWT's ``jwt.decode`` call shape)."""
    # The default Limits is keyed as None: hashing a dataclass costs more than
    # the rest of the lookup.
    args: tuple[Any, ...] = (
        key,
        tuple(algorithms) if algorithms.__class__ is list else algorithms,
        tuple(audience) if audience.__class__ is list else audience,
        tuple(issuer) if issuer.__class__ is list else issuer,
        leeway,
        subject,
        typ,
        tuple(required) if required.__class__ is list else required,
        max_age,
        clock,
        None if limits is DEFAULT_LIMITS else limits,
        tuple(crit) if crit.__class__ is list else crit,
    )
    if options:
        return _build_verifier(*args, options=options).decode(token)
    try:
        verifier = _cached_verifier(*args)
    except TypeError as exc:  # an argument is not hashable: build without the cache
        if "unhashable" not in str(exc):
            raise
        verifier = _build_verifier(*args)
    return verifier.decode(token)


def _build_verifier(
    key: KeyLike,
    algorithms: Collection[str] | str | None,
    audience: Expected,
    issuer: Expected,
    leeway: float | timedelta,
    subject: str | None,
    typ: str | None,
    required: Iterable[str],
    max_age: float | timedelta | None,
    clock: Clock | None,
    limits: Limits | None,
    crit: Collection[str],
    *,
    options: Mapping[str, Any] | None = None,
) -> Verifier:
    return Verifier(
        key,
        algorithms=algorithms,
        audience=audience,
        issuer=issuer,
        subject=subject,
        leeway=leeway,
        options=options,
        typ=typ,
        required=required,
        max_age=max_age,
        clock=clock,
        limits=limits or DEFAULT_LIMITS,
        crit=crit,
    )


# ``decode`` is called with the same arguments on every request of an app;
# building the Verifier once per distinct argument set keeps it as fast as a
# prepared Verifier. Pure: a Verifier's behaviour depends only on these arguments.
_cached_verifier = lru_cache(maxsize=32)(_build_verifier)
