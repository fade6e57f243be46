"""One-time account tokens: verify an email, reset a password, confirm an email change,
finish a login with a second factor (``mfa_login``, see ``gatepass.tokens.mfa_token``).

Pure: minting and judging tokens; the store keeps them (``AccountTokenStore``)
and the flows do the I/O. The rules:

- a token is 256 random bits, base64url (43 characters); the store keeps only
  its SHA-256 (``records.hash_token``), never the token;
- it is bound to one purpose and one user, and spent by its first use
  (``consume_account_token`` deletes it atomically);
- it lives ``LIFETIMES[purpose]``: 30 minutes to reset a password (OWASP's
  Forgot Password cheat sheet: short), 1 hour to confirm a new address, 24
  hours to verify one (the mail may wait in an inbox over night);
- it carries the account's stamp when minted (``account_stamp``: a digest of
  the password hash and the email), and is refused once the stamp differs: a
  token dies when the password changes any other way (a reset, a change, an
  operator's ``users set-password``) and when the address changes, so a verify
  link sent to an old address can never verify a new one;
- an unknown, spent, expired, foreign-purpose or other user's token, or one of
  a disabled or deleted account, is refused with one error,
  ``InvalidTokenError(mailed=True)`` (``invalid_token``), whatever the reason.

A flow uses it like this::

    issued = onetime.mint("reset_password", user, now)
    await store.save_account_token(issued.record)
    ... mail issued.token ...
    record = await store.consume_account_token(
        onetime.lookup_hash(presented), "reset_password", now=now
    )
    user = None if record is None else await store.get_user(record.user_id)
    record = onetime.redeem(record, user)  # or InvalidTokenError
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gatepass.errors import InvalidTokenError
from gatepass.store.account_tokens import ACCOUNT_TOKEN_PURPOSES, AccountToken, AccountTokenPurpose
from gatepass.store.records import User, hash_token

__all__ = [
    "LIFETIMES",
    "IssuedToken",
    "account_stamp",
    "lookup_hash",
    "mint",
    "redeem",
]

MINUTE = 60.0
LIFETIMES: Mapping[AccountTokenPurpose, float] = MappingProxyType(
    {
        "mfa_login": 5 * MINUTE,
        "reset_password": 30 * MINUTE,
        "change_email": 60 * MINUTE,
        "verify_email": 24 * 60 * MINUTE,
    }
)

_TOKEN_BYTES = 32
# What ``secrets.token_urlsafe(32)`` makes; anything else is refused before hashing.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
_STAMP_KEY = b"gatepass account stamp v1"
# The purposes whose token carries a payload (and must).
_WITH_PAYLOAD = frozenset({"change_email", "mfa_login"})


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly minted token: the raw ``token`` goes into the mail, only
    ``record`` (its hash) into the store."""

    token: str = field(repr=False)
    record: AccountToken

    @property
    def lifetime(self) -> float:
        return self.record.expires_at - self.record.created_at


def account_stamp(user: User) -> str:
    """What a token must still match when used: a digest of the password hash and
    the email, so it changes whenever either does (a password rehash after an
    argon2 parameter change counts as a change: the token is refused and the
    user asks again). Keyed and one-way, so the stored stamp reveals nothing."""
    material = f"{user.password_hash}\x00{user.email}".encode()
    return hmac.new(_STAMP_KEY, material, hashlib.sha256).hexdigest()


def mint(
    purpose: AccountTokenPurpose,
    user: User,
    now: float,
    *,
    payload: str | None = None,
    lifetime: float | None = None,
) -> IssuedToken:
    """A new token for ``user`` and ``purpose``, living ``lifetime`` seconds
    (``LIFETIMES[purpose]`` unless given). ``payload``: the new address of a
    ``change_email``, the state of an ``mfa_login`` (required there, refused
    elsewhere)."""
    if purpose not in ACCOUNT_TOKEN_PURPOSES:
        raise ValueError(f"unknown account token purpose {purpose!r}")
    if (payload is None) == (purpose in _WITH_PAYLOAD):
        raise ValueError("change_email and mfa_login tokens carry a payload, no other one does")
    ttl = LIFETIMES[purpose] if lifetime is None else lifetime
    if not ttl > 0:
        raise ValueError("an account token's lifetime must be positive")
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    record = AccountToken(
        token_hash=hash_token(token),
        purpose=purpose,
        user_id=user.id,
        stamp=account_stamp(user),
        payload=payload,
        created_at=now,
        expires_at=now + ttl,
    )
    return IssuedToken(token, record)


def lookup_hash(presented: str) -> str:
    """The hash to look a presented token up by; one that ``mint`` cannot have made
    (wrong length or alphabet, a NUL, a megabyte) is ``InvalidTokenError(mailed=True)`` here."""
    if not isinstance(presented, str) or not _TOKEN_SHAPE.fullmatch(presented):
        raise InvalidTokenError(mailed=True)
    return hash_token(presented)


def redeem(record: AccountToken | None, user: User | None) -> AccountToken:
    """Judge a token ``consume_account_token`` returned, with its user as the store
    has it now: the record when it may be acted on, else ``InvalidTokenError(mailed=True)``."""
    if record is None or user is None or user.id != record.user_id or user.disabled:
        raise InvalidTokenError(mailed=True)
    if not hmac.compare_digest(record.stamp, account_stamp(user)):
        raise InvalidTokenError(mailed=True)
    return record
