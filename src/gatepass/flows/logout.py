"""Ending sessions: logout, logout everywhere, revoking one session, RFC 7009 revocation.

A revoked session's access tokens are denylisted for one access-token
lifetime (``access_ttl``), the longest any of them can still live; each
ending is audited.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import NotFoundError
from gatepass.revocation.revoke import revoke_user
from gatepass.store.protocols import Store

__all__ = ["logout", "logout_all", "revoke_own_session", "revoke_session"]


async def logout(
    store: Store, *, user_id: str, session_id: str, access_ttl: int, clock: Clock
) -> None:
    """End the caller's own session (``logout``)."""
    now = clock()
    await _end(store, session_id, "logout", now, access_ttl)
    await store.add_audit_event("logout", at=now, user_id=user_id, session_id=session_id)


async def logout_all(store: Store, *, user_id: str, access_ttl: int, clock: Clock) -> None:
    """End every session of the caller and refuse their live access tokens (``logout_all``)."""
    now = clock()
    await revoke_user(store, user_id, now, access_ttl, "logout_all")
    await store.add_audit_event("logout_all", at=now, user_id=user_id)


async def revoke_own_session(
    store: Store, *, user_id: str, session_id: str, access_ttl: int, clock: Clock
) -> None:
    """End one of the caller's sessions; ``NotFoundError`` for anyone else's (or none)."""
    target = await store.get_session(session_id)
    if target is None or target.user_id != user_id:
        raise NotFoundError()
    now = clock()
    await _end(store, session_id, "revoked", now, access_ttl)
    await store.add_audit_event("session_revoked", at=now, user_id=user_id, session_id=session_id)


async def revoke_session(store: Store, *, session_id: str, access_ttl: int, clock: Clock) -> None:
    """End ``session_id`` whoever holds it (RFC 7009); audited only if it was live."""
    session = await store.get_session(session_id)
    if session is None:
        return
    now = clock()
    if await _end(store, session_id, "revoked", now, access_ttl):
        await store.add_audit_event(
            "session_revoked", at=now, user_id=session.user_id, session_id=session_id
        )


async def _end(store: Store, session_id: str, reason: str, now: float, access_ttl: int) -> bool:
    """Revoke the session and denylist its access tokens; whether it was live."""
    return await store.revoke_session(
        session_id, now=now, reason=reason, denylist_until=now + access_ttl
    )
