"""Ending a user's live access tokens: the one helper every caller shares.

``revoke_user`` is what logout-all, disabling a user and changing a password
do (the server's routes, the console and ``gatepass`` CLI alike): a ``user``
denylist entry refusing every access token issued before ``now``, kept for
one access-token lifetime, and every live session revoked so no refresh
token works either. The entry is added first: if revoking the sessions then
fails, the live tokens are refused already.

A running server passes its ``recording`` store (``revocation.recording``), so the
entry reaches its own in-memory list before the response goes.
"""

from __future__ import annotations

from gatepass.store.protocols import Store

__all__ = ["revoke_user"]


async def revoke_user(
    store: Store, user_id: str, now: float, access_ttl: int, reason: str
) -> list[str]:
    """Denylist the user's tokens issued before ``now`` and revoke their sessions;
    returns the ids of the sessions that were live."""
    expires_at = now + access_ttl
    await store.add_revocation("user", user_id, not_before=now, now=now, expires_at=expires_at)
    return await store.revoke_user_sessions(user_id, now=now, reason=reason)
