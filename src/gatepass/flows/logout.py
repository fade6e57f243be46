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
from gatepass.store.validation import MAX_PAGE

__all__ = ["end_sessions", "logout", "logout_all", "revoke_own_session", "revoke_session"]


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


async def end_sessions(
    store: Store,
    user_id: str,
    *,
    reason: str,
    access_ttl: int,
    now: float,
    keep: str | None = None,
) -> list[str]:
    """Revoke every session of the user but ``keep``, denylisting each one's access
    tokens; returns the ids it ended. Per session, unlike ``logout_all``'s user
    entry: a session started right after (the login after a password reset, in
    the same second) is untouched, while every token of the old ones is refused."""
    ended: list[str] = []
    offset = 0
    while True:
        batch = await store.list_sessions(
            now=now, user_id=user_id, active_only=False, limit=MAX_PAGE, offset=offset
        )
        for session in batch:
            # Its tokens died with it already, or have all expired by now.
            if session.id == keep or session.revoked_at is not None:
                continue
            if session.expires_at + access_ttl <= now:
                continue
            if await _end(store, session.id, reason, now, access_ttl):
                ended.append(session.id)
        if len(batch) < MAX_PAGE:
            return ended
        offset += len(batch)


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
