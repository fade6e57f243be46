"""``decode``'s arguments and PyJWT's ``options`` read into one ``ClaimRules``.

PyJWT's option keys mean what they mean in PyJWT, with gatepass's defaults:

- ``exp`` is required unless ``options`` lists ``require`` explicitly (then
  exactly those claims are required: ``{"require": []}`` drops the ``exp``
  requirement) or says ``require_exp: False``;
- ``verify_signature: False`` (read by ``decode``, unsafe by name) turns every
  other check off unless the same options turn it back on, as in PyJWT;
- ``enforce_minimum_key_length`` is always on: it may be given, not as False.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final

from gatepass.jose.claims import ClaimRules, Expected, expected_set

__all__ = ["OPTIONS", "claim_rules", "verifies_signature"]

_SWITCHES: Final = (
    "verify_exp",
    "verify_nbf",
    "verify_iat",
    "verify_aud",
    "verify_iss",
    "verify_sub",
    "verify_jti",
)
#: Every key ``options`` may hold.
OPTIONS: Final = frozenset(
    {
        "verify_signature",
        "require",
        "require_exp",
        "strict_aud",
        "enforce_minimum_key_length",
        *_SWITCHES,
    }
)


def verifies_signature(options: Mapping[str, Any] | None) -> bool:
    """False only for ``options={"verify_signature": False}`` (the unsafe, named way)."""
    if not options:
        return True
    if not OPTIONS.issuperset(options):
        raise TypeError(f"Unknown decode options: {sorted(set(options) - OPTIONS)}")
    value = options.get("verify_signature", True)
    if not isinstance(value, bool):
        raise TypeError("options['verify_signature'] must be True or False")
    return value


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


def claim_rules(
    audience: Expected,
    issuer: Expected,
    subject: str | None,
    leeway: float | timedelta,
    options: Mapping[str, Any] | None,
    required: Iterable[str],
    max_age: float | timedelta | None,
) -> ClaimRules:
    """The rules ``decode`` applies to the claims (after the signature, if it checks one)."""
    leeway_s, max_age_s = _seconds(leeway, "leeway"), _seconds(max_age, "max_age")
    if leeway_s is None:
        raise TypeError("leeway must be a number of seconds or a timedelta")
    if subject is not None and not isinstance(subject, str):
        raise TypeError("subject must be a string")
    aud, iss = expected_set(audience), expected_set(issuer)
    if not options:
        return ClaimRules(aud, iss, subject, leeway_s, _names(required), max_age_s)
    checked = verifies_signature(options)
    if options.get("enforce_minimum_key_length", True) is not True:
        raise TypeError("gatepass always refuses keys shorter than the algorithm needs")
    switches = {name: bool(options.get(name, checked)) for name in _SWITCHES}
    listed = options.get("require")
    require = _names(listed) if listed is not None else frozenset()
    require_exp = options.get("require_exp", "exp" in require if listed is not None else checked)
    strict = bool(options.get("strict_aud", False))
    if strict and switches["verify_aud"] and (aud is None or len(aud) != 1):
        raise TypeError("strict_aud needs exactly one expected audience, a string")
    return ClaimRules(
        aud,
        iss,
        subject,
        leeway_s,
        _names(required) | require,
        max_age_s,
        require_exp=bool(require_exp),
        strict_aud=strict,
        **switches,
    )
