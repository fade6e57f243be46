"""The console's replay demonstration: present a spent refresh token of one's own session again.

In cookie mode the refresh token is HttpOnly and the server keeps only
hashes, so the server itself presents the spent token's hash to the same
locked ``Store.rotate_refresh`` transaction, under
``RotationPolicy.replay_rule`` (``rule``'s own grace/reuse branch). Inside
the grace window nothing happens (``GraceReplay``); after it the session is
revoked and denylisted and the reuse is audited (``ReuseDetected``), exactly
as a refresh would do for a thief. Only the caller's own session, only spent
tokens.

The reuse is audited by the rotation transaction itself, as for a refresh
(one place writes it); a grace replay delivers no tokens and writes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gatepass.clock import Clock
from gatepass.errors import ForbiddenError, InvalidTokenError, NotFoundError
from gatepass.store.protocols import Store
from gatepass.store.rotation import Reject, Requester, RevokeSession
from gatepass.tokens.refresh import RotationPolicy

__all__ = ["GraceReplay", "ReplayOutcome", "ReuseDetected", "replay"]


@dataclass(frozen=True, slots=True)
class GraceReplay:
    """Inside the grace window: nothing changed; reuse is detected ``retry_after`` seconds on."""

    refresh_id: str
    retry_after: int


@dataclass(frozen=True, slots=True)
class ReuseDetected:
    """After the grace window: ``session_id`` is revoked and denylisted."""

    refresh_id: str
    session_id: str


ReplayOutcome = GraceReplay | ReuseDetected


async def replay(
    store: Store,
    policy: RotationPolicy,
    *,
    refresh_id: str,
    session_id: str,
    requester: Requester,
    clock: Clock,
) -> ReplayOutcome:
    """Replay the spent token ``refresh_id`` of ``session_id``; ``NotFoundError``
    for another session's (or no) token, ``ForbiddenError`` for an unspent one."""
    token = await store.get_refresh_token_by_id(refresh_id)
    if token is None or token.session_id != session_id:
        raise NotFoundError()
    if token.spent_at is None:
        raise ForbiddenError("Only a spent refresh token can be replayed")
    now = clock()
    audit = Requester(
        requester.ip, requester.user_agent, {"via": "console_replay", "refresh_id": token.id}
    )
    result = await store.rotate_refresh(token.token_hash, now, policy.replay_rule(), audit=audit)
    decision = result.decision
    if isinstance(decision, Reject) and decision.reason == "in_grace":
        wait = token.spent_at + policy.grace - now
        return GraceReplay(token.id, retry_after=max(1, math.ceil(wait)))
    if not isinstance(decision, RevokeSession):
        raise InvalidTokenError()
    return ReuseDetected(token.id, session_id)
