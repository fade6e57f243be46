"""Secrets: a string that keeps itself out of logs, and the rules a strong one meets.

``Settings`` applies :func:`check_secret_strength` to every secret it reads
(``GATEPASS_JWT_SECRET``, the key-encryption key, the revocation feed token),
``gatepass secret check`` applies it to the value it is given, and the admin
and ``protect`` entry points to the secrets they are handed. Its messages name
the variable and never hold the value.
"""

from __future__ import annotations

import hmac
import itertools
import math
import re
from collections import Counter
from typing import Final

from gatepass.errors import ConfigError

__all__ = [
    "MIN_SECRET_BYTES",
    "MIN_SECRET_ENTROPY_BITS",
    "Secret",
    "check_secret_strength",
    "entropy_bits",
]

MIN_SECRET_BYTES: Final = 32
MIN_SECRET_ENTROPY_BITS: Final = 128


class Secret:
    """A string that keeps itself out of logs: ``repr``/``str`` are redacted."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


# Example and default secrets people paste from guides (compared lower-case,
# with everything but letters and digits removed).
_WELL_KNOWN: Final = (
    "your256bitsecret",
    "yoursecretkey",
    "supersecretkey",
    "supersecret",
    "mysecretkey",
    "mysecret",
    "secretkey",
    "jwtsecretkey",
    "jwtsecret",
    "changethis",
    "changeme",
    "password",
    "default",
    "example",
    "secret",
    "qwerty",
    "letmein",
    "admin",
    "token",
    "test",
    "key",
    "jwt",
    "123456789",
    "abcdef",
)


def check_secret_strength(value: str, variable: str) -> None:
    """Refuse short, well-known or low-entropy secrets; the message never holds the value."""
    raw = value.encode("utf-8")
    letters = re.sub(r"[^a-z0-9]", "", value.lower())
    rest = letters
    for word in _WELL_KNOWN:
        rest = rest.replace(word, "")
    if letters and len(rest) < len(letters) // 2:
        raise ConfigError(
            f"{variable} is a well-known example secret; "
            "generate one with `gatepass secret generate`"
        )
    if len(raw) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{variable} must be at least {MIN_SECRET_BYTES} bytes; "
            "generate one with `gatepass secret generate`"
        )
    if entropy_bits(value) < MIN_SECRET_ENTROPY_BITS or _is_sequence(value):
        raise ConfigError(
            f"{variable} looks low-entropy (too few distinct, repeated or sequential "
            "characters); use at least 32 random bytes, e.g. from `gatepass secret generate`"
        )


def entropy_bits(value: str) -> float:
    """Shannon entropy of the character distribution times the length (an upper bound)."""
    counts = Counter(value)
    n = len(value)
    return -sum(c * math.log2(c / n) for c in counts.values())


def _is_sequence(value: str) -> bool:
    """Mostly runs like ``abcdef`` / ``987654`` / ``ababab``."""
    if len(value) < 3:
        return True
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(value)]
    plain = sum(1 for s in steps if abs(s) <= 1)
    periodic = sum(1 for a, b in zip(value, value[2:], strict=False) if a == b)
    return plain > len(steps) // 2 or periodic > len(steps) // 2
