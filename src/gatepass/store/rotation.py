"""What ``Store.rotate_refresh`` can be told to do, and what it reports back.

The caller's ``decide(token, session, now)`` is a pure function (it lives in
``gatepass.tokens``); the store calls it while holding the locks on the token
row and its session, then applies the decision in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gatepass.store.records import RefreshToken, Session

__all__ = [
    "Decide",
    "Reject",
    "Replay",
    "RevokeSession",
    "Rotate",
    "RotationDecision",
    "RotationResult",
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


@dataclass(frozen=True, slots=True)
class RotationResult:
    """The decision applied, and the rows as they are after the transaction.

    ``successor`` is the new token (``Rotate``) or the existing successor
    (``Replay``); ``sealed`` is the presented token's ``successor_sealed``
    (for ``Rotate`` and ``Replay``), else None.
    """

    decision: RotationDecision
    token: RefreshToken | None
    session: Session | None
    successor: RefreshToken | None = None
    sealed: bytes | None = field(default=None, repr=False)
