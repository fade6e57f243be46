"""Claim names ``encode`` refuses: a JWS payload is readable by anyone who holds it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

__all__ = ["DEFAULT_SENSITIVE_CLAIMS", "find_sensitive", "is_sensitive"]

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


def _normalise(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


@lru_cache(maxsize=64)
def _stems(names: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Sensitive names normalised: matched exactly, and (6+ letters) as substrings."""
    exact = frozenset(_normalise(n) for n in names)
    return exact, tuple(sorted(s for s in exact if len(s) >= 6))


@lru_cache(maxsize=4096)
def is_sensitive(name: str, names: frozenset[str]) -> bool:
    """Whether claim ``name`` looks like one of ``names`` (normalised; long stems as substrings)."""
    exact, substrings = _stems(names)
    norm = _normalise(name)
    return norm in exact or any(s in norm for s in substrings)


def find_sensitive(claims: Mapping[str, Any], names: frozenset[str], depth: int = 0) -> str | None:
    """The first claim (at any depth up to 4) named like one of ``names``, or None."""
    for name, value in claims.items():
        if is_sensitive(str(name), names):
            return str(name)
        if isinstance(value, Mapping) and depth < 4:
            found = find_sensitive(value, names, depth + 1)
            if found is not None:
                return found
    return None
