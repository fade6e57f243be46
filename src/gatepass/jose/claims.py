"""JWT claims validation (RFC 7519 §4.1), as one pure function.

Expected values are required values: asking for an audience makes ``aud``
required, asking for an issuer makes ``iss`` required and compared exactly
(never by substring: CVE-2024-53861). ``exp`` is required unless the caller
turns that off by name. The current time is an argument, never read here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

from gatepass.errors import (
    ClaimError,
    MissingClaimError,
    TokenExpiredError,
    TokenNotYetValidError,
)

__all__ = ["ClaimRules", "validate_claims"]

Expected = str | Collection[str] | None


def expected_set(value: Expected) -> frozenset[str] | None:
    """An expected iss/aud value as the set of acceptable strings (exact matches only)."""
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset((value,))
    candidate: object = value
    if not isinstance(candidate, Collection) or isinstance(candidate, bytes | bytearray):
        raise TypeError(
            "An expected audience or issuer must be a string or a collection of strings"
        )
    values = frozenset(candidate)
    if not values:
        raise TypeError("An empty collection of expected audiences or issuers accepts nothing")
    if not all(isinstance(v, str) for v in values):
        raise TypeError("Expected audiences and issuers must be strings")
    return values


class ClaimRules(NamedTuple):
    """What a verifier expects of a token's claims (build with ``expected_set``)."""

    audience: frozenset[str] | None = None
    issuer: frozenset[str] | None = None
    subject: str | None = None
    leeway: float = 0.0
    required: frozenset[str] = frozenset()
    max_age: float | None = None
    require_exp: bool = True
    verify_exp: bool = True
    verify_nbf: bool = True
    verify_iat: bool = True
    verify_aud: bool = True
    verify_iss: bool = True
    verify_sub: bool = True
    verify_jti: bool = True
    strict_aud: bool = False  # ``aud`` must be one string, the expected one (PyJWT's option)


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    """The claim as a number, None when absent; present but not a number is an error."""
    value = claims.get(name)
    if value.__class__ is int or value.__class__ is float:  # never bool
        return value  # type: ignore[no-any-return,unused-ignore]
    if value is None and name not in claims:
        return None
    raise ClaimError(name, f"The {name!r} claim must be a number")


def _check_audience(
    claims: Mapping[str, Any], expected: frozenset[str] | None, strict: bool = False
) -> None:
    aud = claims.get("aud")
    if expected is None:
        if "aud" in claims:  # RFC 7519 §4.1.3: an audience we are not in
            raise ClaimError("aud", "The token has an audience but none was expected")
        return
    if aud.__class__ is str:
        if aud in expected:
            return
    elif aud is None and "aud" not in claims:
        raise MissingClaimError("aud")
    elif strict:
        raise ClaimError("aud", "The 'aud' claim must be one string (strict audience)")
    elif aud.__class__ is list and all(v.__class__ is str for v in aud):
        if not expected.isdisjoint(aud):
            return
    else:
        raise ClaimError("aud", "The 'aud' claim must be a string or a list of strings")
    raise ClaimError("aud", "The token is not meant for this audience")


def _check_exact(claims: Mapping[str, Any], name: str, expected: frozenset[str]) -> None:
    value = claims.get(name)
    if value.__class__ is str and value in expected:
        return
    if value is None and name not in claims:
        raise MissingClaimError(name)
    raise ClaimError(name, f"The {name!r} claim does not match")


def validate_claims(claims: Mapping[str, Any], rules: ClaimRules, now: float) -> None:
    """Raise a ClaimError subclass unless ``claims`` satisfy ``rules`` at time ``now``.

    Runs on every request: the common case (claims present and well typed)
    calls no helper; every irregular value goes to a helper that
    names the problem.
    """
    leeway = rules.leeway
    if rules.required:
        for name in rules.required:
            if name not in claims:
                raise MissingClaimError(name)
    if (claims.get("sub", "").__class__ is not str and rules.verify_sub) or (
        claims.get("jti", "").__class__ is not str and rules.verify_jti
    ):
        name = "sub" if claims.get("sub", "").__class__ is not str and rules.verify_sub else "jti"
        raise ClaimError(name, f"The {name!r} claim must be a string")

    exp = claims.get("exp")
    if exp.__class__ is not int and exp.__class__ is not float:
        exp = _number(claims, "exp")
    if exp is None:
        if rules.require_exp:
            raise MissingClaimError("exp")
    elif rules.verify_exp and now >= exp + leeway:
        raise TokenExpiredError()

    if "nbf" in claims:
        nbf = _number(claims, "nbf")
        if rules.verify_nbf and now + leeway < nbf:  # type: ignore[operator]
            raise TokenNotYetValidError("nbf")

    iat = claims.get("iat")
    if iat.__class__ is not int and iat.__class__ is not float:
        iat = _number(claims, "iat")
    if iat is not None and rules.verify_iat and iat > now + leeway:
        raise TokenNotYetValidError("iat", "The token was issued in the future")
    if rules.max_age is not None:
        if iat is None:
            raise MissingClaimError("iat")
        if now - iat > rules.max_age + leeway:
            raise TokenExpiredError("iat", "The token is older than the maximum age")

    # Each check's common case is a str in a frozenset; the helper explains a miss.
    iss, aud = claims.get("iss"), claims.get("aud")
    if (
        rules.verify_iss
        and rules.issuer is not None
        and (iss.__class__ is not str or iss not in rules.issuer)
    ):
        _check_exact(claims, "iss", rules.issuer)
    if rules.verify_aud and (
        aud.__class__ is not str or rules.audience is None or aud not in rules.audience
    ):
        _check_audience(claims, rules.audience, rules.strict_aud)
    if rules.subject is not None and rules.verify_sub:
        _check_exact(claims, "sub", frozenset((rules.subject,)))
