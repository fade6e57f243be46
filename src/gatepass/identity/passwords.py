"""Passwords: one normal form (NFKC), and the policy for a newly chosen one.

NIST SP 800-63B §5.1.1.2: a password is NFKC-normalised before it is hashed and
before it is checked, so one typed on a keyboard that composes accents and one
that does not are the same password. A new password (register, ``gatepass
users add``/``set-password``) must:

- be 8 to 1024 characters once normalised;
- not be one of the 100,000 most common passwords (``blocklist``), in any case;
- score at least ``MIN_SCORE`` with zxcvbn, told the account's email so a
  password built from it scores low.

zxcvbn's cost grows with the square of the length and with the product of the
l33t substitutions the password's symbols allow (``4@(<[{1!|`` and friends: a
32-character string of them took 8 s). So it judges a sample: the first
``STRENGTH_SAMPLE`` characters, shortened until they allow at most
``MAX_L33T_VARIANTS`` substitution sets (0.3 s at worst, measured on 1024
characters chosen to be slow; 11 ms for a long passphrase). A longer
password is at least as strong as its start. Logging in never applies the
policy: an account whose password predates it keeps working.

Refusals are ``WeakPasswordError`` with fixed text (zxcvbn's warnings are fixed
sentences too): never any part of the password.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from zxcvbn import zxcvbn
from zxcvbn.matching import L33T_TABLE

from gatepass.errors import WeakPasswordError
from gatepass.identity.blocklist import is_common

__all__ = [
    "MAX_L33T_VARIANTS",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "MIN_SCORE",
    "STRENGTH_SAMPLE",
    "check_new_password",
    "normalise_password",
    "strength_sample",
]

MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_LENGTH: Final = 1024
#: zxcvbn scores 0 (too guessable) to 4; 3 is "safely unguessable" offline-throttled.
MIN_SCORE: Final = 3
#: The most characters zxcvbn is shown.
STRENGTH_SAMPLE: Final = 32
#: The most l33t substitution sets the sample may allow (zxcvbn tries each one).
MAX_L33T_VARIANTS: Final = 32

COMMON: Final = "The password is one of the most common passwords"
TOO_SHORT: Final = f"The password must be at least {MIN_PASSWORD_LENGTH} characters"
TOO_LONG: Final = f"The password must be at most {MAX_PASSWORD_LENGTH} characters"
GUESSABLE: Final = "The password is too easy to guess"


def normalise_password(password: str) -> str:
    """The form a password is hashed and verified in (NFKC)."""
    return unicodedata.normalize("NFKC", password)


def check_new_password(password: str, *, email: str | None = None) -> None:
    """Raise ``WeakPasswordError`` (saying why) unless ``password`` may be chosen.

    CPU-bound (zxcvbn, and the blocklist's first load): run it off the event loop.
    """
    normal = normalise_password(password)
    if len(normal) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(TOO_SHORT)
    if len(normal) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(TOO_LONG)
    if is_common(normal):
        raise WeakPasswordError(COMMON)
    result = zxcvbn(strength_sample(normal), user_inputs=_user_inputs(email))
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hint = feedback["warning"] or " ".join(feedback["suggestions"])
        raise WeakPasswordError(f"{GUESSABLE}: {hint}" if hint else GUESSABLE)


def strength_sample(password: str) -> str:
    """The start of ``password`` that zxcvbn judges, bounded in length and l33t variants."""
    sample = password[:STRENGTH_SAMPLE]
    while _l33t_variants(sample) > MAX_L33T_VARIANTS:
        sample = sample[:-1]
    return sample


def _l33t_variants(sample: str) -> int:
    """How many substitution sets zxcvbn's l33t matcher would try (an upper bound)."""
    present = set(sample)
    variants = 1
    for subs in L33T_TABLE.values():
        variants *= max(1, sum(1 for sub in subs if sub in present))
    return variants


def _user_inputs(email: str | None) -> list[str]:
    """The email and its parts: a password made of them is easy to guess."""
    if not email:
        return []
    local, _, domain = email.rpartition("@")
    return [email, local, domain, *domain.split(".")]
