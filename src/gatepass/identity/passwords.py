"""Passwords: one normal form (NFKC), and the policy for a newly chosen one.

NIST SP 800-63B §5.1.1.2: a password is NFKC-normalised before it is hashed and
before it is checked, so one typed on a keyboard that composes accents and one
that does not are the same password. A new password (register, ``gatepass
users add``/``set-password``) must:

- be 8 to 1024 characters once normalised;
- not be one of the 100,000 most common passwords (``blocklist``), in any case;
- score at least ``MIN_SCORE`` with zxcvbn, told the account's email so a
  password built from it scores low.

zxcvbn's cost grows steeply with length (its l33t matcher tries every
substitution: 40 such characters take over half a second), so it judges the
first ``STRENGTH_SAMPLE`` characters only; a longer password is at least as
strong as its start. Logging in never applies the policy: an account whose
password predates it keeps working.

Refusals are ``WeakPasswordError`` with fixed text (zxcvbn's warnings are fixed
sentences too): never any part of the password.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from zxcvbn import zxcvbn

from gatepass.errors import WeakPasswordError
from gatepass.identity.blocklist import is_common

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "MIN_SCORE",
    "STRENGTH_SAMPLE",
    "check_new_password",
    "normalise_password",
]

MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_LENGTH: Final = 1024
#: zxcvbn scores 0 (too guessable) to 4; 3 is "safely unguessable" offline-throttled.
MIN_SCORE: Final = 3
#: The characters zxcvbn is shown (its worst case there is about 0.1 s).
STRENGTH_SAMPLE: Final = 32

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
    result = zxcvbn(normal[:STRENGTH_SAMPLE], user_inputs=_user_inputs(email))
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hint = feedback["warning"] or " ".join(feedback["suggestions"])
        raise WeakPasswordError(f"{GUESSABLE}: {hint}" if hint else GUESSABLE)


def _user_inputs(email: str | None) -> list[str]:
    """The email and its parts: a password made of them is easy to guess."""
    if not email:
        return []
    local, _, domain = email.rpartition("@")
    return [email, local, domain, *domain.split(".")]
