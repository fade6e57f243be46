"""Refresh: rotate the presented refresh token, or act on its reuse.

The one refresh flow, behind ``POST /refresh`` (JSON, cookies) and the RFC
6749 token endpoint. ``Store.rotate_refresh`` applies ``RotationPolicy.rule``
in one transaction that decides, rotates, reads the user and writes the audit
row (``refresh``, or ``refresh_token_reused`` when the session is revoked):
after a 503 nothing happened, so the same token may be sent again. Here the
decision is read: ``Rotate`` delivers the new successor, ``Replay`` (a retry
inside the grace window) the one already issued, unsealed with the presented
token; ``RevokeSession`` is ``RefreshTokenReuseError``; the rest is
``InvalidTokenError``.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import InvalidTokenError, RefreshTokenReuseError
from gatepass.flows.grant import GrantIssuer, Rotation, TokenGrant
from gatepass.store.protocols import Store
from gatepass.store.records import hash_token
from gatepass.store.rotation import Replay, Requester, RevokeSession, Rotate
from gatepass.tokens.refresh import RotationPolicy, new_refresh_token, unseal_successor

__all__ = ["refresh"]


async def refresh(
    store: Store,
    policy: RotationPolicy,
    issuer: GrantIssuer,
    *,
    presented: str,
    requester: Requester,
    clock: Clock,
) -> TokenGrant:
    """New tokens for the session of ``presented``; an ``AuthError`` else."""
    now, successor = clock(), new_refresh_token()
    result = await store.rotate_refresh(
        hash_token(presented), now, policy.rule(presented, successor), audit=requester
    )
    decision, session, user = result.decision, result.session, result.user
    if isinstance(decision, RevokeSession):
        raise RefreshTokenReuseError()
    if not isinstance(decision, Rotate | Replay) or session is None or user is None:
        raise InvalidTokenError()
    if isinstance(decision, Replay):
        if result.sealed is None:
            raise InvalidTokenError()
        successor = unseal_successor(presented, result.sealed)
    rotation = Rotation(
        refresh_id=result.successor.id if result.successor else None,
        previous_refresh_id=result.token.id if result.token else None,
    )
    return issuer.grant(user, session, successor, now, rotation, amr=session.amr or None)
