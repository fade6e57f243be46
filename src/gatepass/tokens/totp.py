"""TOTP (RFC 6238) and recovery codes: the pure rules of the second factor.

- A secret is 160 random bits (RFC 4226's recommendation), base32 as every
  authenticator app reads it; codes are 6 digits, 30-second steps, SHA-1 (the
  parameters every app supports; the otpauth URI names them).
- ``matching_step`` accepts a code of the current step or one step either side
  (a phone's clock drifts, a person types slowly) and returns the step it
  matched, so the caller can record it: a code of that step or an earlier one
  is never accepted again (``FactorStore.accept_totp_step``), which refuses a
  replay inside the same window.
- Recovery codes: ``RECOVERY_CODES`` (10) of 80 random bits each (16 base32
  characters, shown in groups of four); stored only as ``recovery_hash``, a
  SHA-256 bound to the user, and spent by their first use. What the person
  types is read case-blind, with or without the dashes and spaces.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

import pyotp

__all__ = [
    "DIGITS",
    "DRIFT_STEPS",
    "RECOVERY_CODES",
    "SECRET_SEALING",
    "STEP_SECONDS",
    "matching_step",
    "new_recovery_codes",
    "new_secret",
    "provisioning_uri",
    "recovery_codes",
    "recovery_hash",
    "step_at",
]

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
#: The ``Sealer`` info the TOTP secrets are sealed with (each bound to its user's id).
SECRET_SEALING = b"gatepass totp secret v1"
_SECRET_BYTES = 20
_RECOVERY_BYTES = 10  # 80 bits
_CODE_SHAPE = re.compile(r"[0-9]{6}")
_RECOVERY_SHAPE = re.compile(r"[A-Z2-7]{16}")


def new_secret() -> str:
    """A fresh secret, base32 without padding (32 characters)."""
    return base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii").rstrip("=")


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app scans (RFC 6238 parameters)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def step_at(now: float) -> int:
    """The RFC 6238 time step at ``now`` (seconds since the epoch)."""
    return int(now // STEP_SECONDS)


def matching_step(secret: str, code: object, *, now: float, after: int | None) -> int | None:
    """The step (of now, one before or one after) whose code is ``code`` and that
    is later than ``after`` (the last accepted step), or None. Anything that is
    not six digits is None without computing a code."""
    if not isinstance(code, str) or not _CODE_SHAPE.fullmatch(code):
        return None
    otp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = step_at(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(otp.generate_otp(step), code):
            return step
    return None


def recovery_codes() -> list[str]:
    """``RECOVERY_CODES`` fresh codes, as shown to the person (``ABCD-EFGH-IJKL-MNOP``)."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(_RECOVERY_BYTES)).decode("ascii")
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_hash(user_id: str, code: object) -> str | None:
    """What the store keeps of ``code`` for ``user_id`` (None for what cannot be a code)."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    plain = re.sub(r"[\s-]", "", code).upper()
    if not _RECOVERY_SHAPE.fullmatch(plain):
        return None
    return hashlib.sha256(f"gatepass recovery v1\x00{user_id}\x00{plain}".encode()).hexdigest()


def new_recovery_codes(user_id: str) -> tuple[list[str], list[str]]:
    """Fresh ``recovery_codes()`` for ``user_id``, and what the store keeps of them."""
    codes = recovery_codes()
    return codes, [h for h in (recovery_hash(user_id, code) for code in codes) if h is not None]
