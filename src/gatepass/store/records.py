"""The rows the store hands out: frozen dataclasses, times in epoch seconds.

The store never sees a raw refresh token, only its SHA-256 hex hash; the
successor's raw token is kept only sealed (by the caller) under a key derived
from the presented token, so the database alone holds no usable token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from gatepass.errors import InvalidEmailError

__all__ = [
    "NO_PASSWORD",
    "AuditEvent",
    "KeyStatus",
    "RefreshToken",
    "Revocation",
    "RevocationKind",
    "Session",
    "SigningKey",
    "User",
    "email_lookup_key",
    "hash_token",
    "new_id",
    "new_session_id",
    "normalise_email",
]

RevocationKind = Literal["session", "user", "jti"]
KeyStatus = Literal["active", "retiring", "retired"]

REVOCATION_KINDS: frozenset[str] = frozenset({"session", "user", "jti"})
KEY_STATUSES: frozenset[str] = frozenset({"active", "retiring", "retired"})


def normalise_email(email: str) -> str:
    """The one form an email is stored in (``gatepass.identity.emails``); raises
    ``InvalidEmailError`` for one that is not an email address."""
    from gatepass.identity.emails import normalise_email as normalise

    return normalise(email)


def email_lookup_key(email: str) -> str:
    """What a lookup by email compares with: the normalised form, or for an address
    the rule refuses, the fold that came before it (``strip().lower()``), so a row
    migration 0002 had to leave alone can still be found by its email."""
    try:
        return normalise_email(email)
    except InvalidEmailError:
        return email.strip().lower()


# Control characters (NUL: PostgreSQL text refuses it), bidi overrides (a
# role that reads differently in every listing) and the line and paragraph
# separators (a line break in a listing that is not a control character).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]"
)


def hash_token(raw_token: str) -> str:
    """SHA-256 hex of a raw refresh token: the only form the store keeps."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def new_id() -> str:
    """A uuid4 in hex: user, refresh token and other row ids."""
    return uuid.uuid4().hex


def new_session_id() -> str:
    """A session id with 192 random bits, as 48 hex digits (it travels in tokens as
    ``sid``). Hex, not base64url: an id starting with ``-`` reads as an option on
    a command line (``gatepass sessions revoke ID``)."""
    return secrets.token_hex(24)


#: The ``password_hash`` of a user who has none (made by a sign-in with a provider):
#: no password matches it; a password reset sets one.
NO_PASSWORD: Final = ""


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    password_hash: str
    role: str
    disabled: bool
    created_at: float
    email_verified: bool = False

    @property
    def has_password(self) -> bool:
        return self.password_hash != NO_PASSWORD


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    created_at: float
    last_used_at: float
    expires_at: float
    revoked_at: float | None
    revoked_reason: str | None
    user_agent: str | None
    ip: str | None
    #: How the login that started it went (RFC 8176 values; empty: not recorded).
    amr: tuple[str, ...] = ()
    #: When its person last proved it was them again (``POST /reauthenticate``);
    #: None: not since the login that started it.
    reauthenticated_at: float | None = None

    def is_live(self, now: float) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def auth_time(self) -> float:
        """When its person last logged in or proved it again (OpenID's ``auth_time``)."""
        return self.created_at if self.reauthenticated_at is None else self.reauthenticated_at


@dataclass(frozen=True, slots=True)
class RefreshToken:
    id: str
    session_id: str
    token_hash: str
    created_at: float
    expires_at: float
    spent_at: float | None
    successor_id: str | None
    successor_sealed: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Revocation:
    seq: int
    kind: RevocationKind
    subject: str
    not_before: float
    created_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    alg: str
    private_jwk: str = field(repr=False)
    public_jwk: str
    status: KeyStatus
    created_at: float
    retire_at: float | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: float
    event: str
    user_id: str | None
    session_id: str | None
    ip: str | None
    user_agent: str | None
    detail: Mapping[str, Any]
