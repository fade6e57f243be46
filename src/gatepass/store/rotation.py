"""What ``Store.rotate_refresh`` can be told to do, and what it reports back.

The caller's ``decide(token, session, now)`` is a pure function (it lives in
``gatepass.tokens``); the store calls it while holding the locks on the token
row and its session, then applies the decision in the same transaction, which
also reads the session's user (``for_account``) and, when the caller passes a
``Requester``, writes the audit row (``audit_event``). So a refresh either
happened entirely (token spent, successor stored, audit row written) or not
at all, and a failed one can be retried with the same token.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gatepass.store.records import RefreshToken, Session, User

__all__ = [
    "Decide",
    "Reject",
    "Replay",
    "Requester",
    "RevokeSession",
    "Rotate",
    "RotationDecision",
    "RotationResult",
    "audit_event",
    "for_account",
]


@dataclass(frozen=True, slots=True)
class Rotate:
    """Spend the presented token, insert its successor, touch the session.

    ``sealed`` is the successor's raw token sealed by the caller (kept on the
    presented token's row so a retry in the grace window gets the same one).
    """

    token_hash: str
    expires_at: float
    sealed: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Replay:
    """A retry inside the grace window: change nothing, report the existing successor."""


@dataclass(frozen=True, slots=True)
class RevokeSession:
    """Reuse (theft): revoke the session; when ``denylist_until`` is set, also
    add a ``session`` revocation entry expiring then, atomically."""

    reason: str = "refresh_token_reused"
    denylist_until: float | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    """Refuse without changing anything (unknown, expired, session gone...)."""

    reason: str


RotationDecision = Rotate | Replay | RevokeSession | Reject
Decide = Callable[[RefreshToken | None, Session | None, float], RotationDecision]


def for_account(decision: RotationDecision, user: User | None) -> RotationDecision:
    """The decision the store applies: no token is issued to an account that is
    gone or disabled (reuse is still acted on: the session dies either way)."""
    if isinstance(decision, Rotate | Replay) and (user is None or user.disabled):
        return Reject("account_disabled")
    return decision


@dataclass(frozen=True, slots=True)
class Requester:
    """Who presented the token, for the audit row the rotation commits with."""

    ip: str | None = None
    user_agent: str | None = None
    detail: Mapping[str, Any] | None = None


def audit_event(decision: RotationDecision) -> str | None:
    """The audit event an applied decision is recorded as (None: nothing happened)."""
    if isinstance(decision, Rotate | Replay):
        return "refresh"
    if isinstance(decision, RevokeSession):
        return decision.reason
    return None


@dataclass(frozen=True, slots=True)
class RotationResult:
    """The decision applied, and the rows as they are after the transaction.

    ``successor`` is the new token (``Rotate``) or the existing successor
    (``Replay``); ``sealed`` is the presented token's ``successor_sealed``
    (for ``Rotate`` and ``Replay``), else None. ``user`` is the session's
    user as read in the transaction (None without a session or user).
    """

    decision: RotationDecision
    token: RefreshToken | None
    session: Session | None
    successor: RefreshToken | None = None
    sealed: bytes | None = field(default=None, repr=False)
    user: User | None = None
