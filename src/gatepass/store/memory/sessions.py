"""``SessionStore`` and ``TokenStore`` in memory: sessions, their refresh tokens, rotation.

One module because a login and a refresh each change both (and the audit
list) under the one lock.
"""

from __future__ import annotations

import dataclasses

from gatepass.errors import NotFoundError
from gatepass.store.memory.audit import audit_entry
from gatepass.store.memory.revocations import append_revocation
from gatepass.store.memory.state import MemoryPart, MemoryState
from gatepass.store.records import RefreshToken, Session, new_id, new_session_id
from gatepass.store.rotation import (
    Decide,
    Reject,
    Replay,
    Requester,
    RevokeSession,
    Rotate,
    RotationDecision,
    RotationResult,
    audit_event,
    for_account,
)
from gatepass.store.validation import page

__all__ = ["MemorySessionStore", "MemoryTokenStore"]


class MemorySessionStore(MemoryPart):
    async def create_session(
        self,
        user_id: str,
        *,
        now: float,
        expires_at: float,
        user_agent: str | None = None,
        ip: str | None = None,
    ) -> Session:
        async with self.state.lock:
            session = _new_session(self.state, user_id, now, expires_at, user_agent, ip)
            self.state.sessions[session.id] = session
            return session

    async def start_session(
        self,
        user_id: str,
        token_hash: str,
        *,
        now: float,
        expires_at: float,
        refresh_expires_at: float,
        user_agent: str | None = None,
        ip: str | None = None,
        amr: tuple[str, ...] = (),
    ) -> tuple[Session, RefreshToken]:
        state = self.state
        async with state.lock:
            # Everything that can fail comes before the first change.
            session = _new_session(state, user_id, now, expires_at, user_agent, ip)
            session = dataclasses.replace(session, amr=tuple(amr))
            if token_hash in state.tokens:
                raise ValueError("duplicate refresh token hash")
            requester = Requester(ip, user_agent)
            entry = audit_entry(state, "login", now, user_id, session.id, requester)
            state.sessions[session.id] = session
            token = _add_token(state, session.id, token_hash, now, refresh_expires_at)
            state.audit.append(entry)
            return session, token

    async def get_session(self, session_id: str) -> Session | None:
        return self.state.sessions.get(session_id)

    async def reauthenticate_session(
        self, session_id: str, *, now: float, amr: tuple[str, ...]
    ) -> Session | None:
        async with self.state.lock:
            session = self.state.sessions.get(session_id)
            if session is None or not session.is_live(now):
                return None
            session = dataclasses.replace(session, reauthenticated_at=now, amr=tuple(amr))
            self.state.sessions[session_id] = session
            return session

    async def touch_session(self, session_id: str, *, now: float) -> None:
        async with self.state.lock:
            session = self.state.sessions.get(session_id)
            if session is not None:
                self.state.sessions[session_id] = dataclasses.replace(session, last_used_at=now)

    async def list_active_sessions(self, user_id: str, *, now: float) -> list[Session]:
        live = [s for s in self.state.sessions.values() if s.user_id == user_id and s.is_live(now)]
        return sorted(live, key=lambda s: (-s.last_used_at, s.id))

    async def list_sessions(
        self,
        *,
        now: float,
        user_id: str | None = None,
        active_only: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Session]:
        limit, offset = page(limit, offset)
        found = [
            s
            for s in self.state.sessions.values()
            if (user_id is None or s.user_id == user_id) and (not active_only or s.is_live(now))
        ]
        found.sort(key=lambda s: (-s.last_used_at, s.id))
        return found[offset : offset + limit]

    async def revoke_session(
        self,
        session_id: str,
        *,
        now: float,
        reason: str,
        denylist_until: float | None = None,
    ) -> bool:
        async with self.state.lock:
            return _revoke(self.state, session_id, now, reason, denylist_until)

    async def revoke_user_sessions(self, user_id: str, *, now: float, reason: str) -> list[str]:
        async with self.state.lock:
            ids = [
                s.id
                for s in self.state.sessions.values()
                if s.user_id == user_id and s.revoked_at is None
            ]
            for session_id in ids:
                _revoke(self.state, session_id, now, reason, None)
            return sorted(ids)


class MemoryTokenStore(MemoryPart):
    async def add_refresh_token(
        self, session_id: str, token_hash: str, *, now: float, expires_at: float
    ) -> RefreshToken:
        async with self.state.lock:
            return _add_token(self.state, session_id, token_hash, now, expires_at)

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        return self.state.tokens.get(token_hash)

    async def get_refresh_token_by_id(self, token_id: str) -> RefreshToken | None:
        token_hash = self.state.token_hashes.get(token_id)
        return None if token_hash is None else self.state.tokens.get(token_hash)

    async def rotate_refresh(
        self, token_hash: str, now: float, decide: Decide, *, audit: Requester | None = None
    ) -> RotationResult:
        state = self.state
        async with state.lock:
            token = state.tokens.get(token_hash)
            session = None if token is None else state.sessions.get(token.session_id)
            user = None if session is None else state.users.get(session.user_id)
            decision = for_account(decide(token, session, now), user)
            event = audit_event(decision)
            entry = None
            if audit is not None and event is not None and session is not None:
                # Built before any change: a failure here leaves everything as it was.
                entry = audit_entry(state, event, now, session.user_id, session.id, audit)
            result = _apply_rotation(state, decision, token, session, now)
            if entry is not None:
                state.audit.append(entry)
            return dataclasses.replace(result, user=user)


# --- changes made under the caller's lock -------------------------------


def _new_session(
    state: MemoryState,
    user_id: str,
    now: float,
    expires_at: float,
    user_agent: str | None,
    ip: str | None,
) -> Session:
    if user_id not in state.users:
        raise NotFoundError("No such user")
    return Session(new_session_id(), user_id, now, now, expires_at, None, None, user_agent, ip)


def _revoke(
    state: MemoryState, session_id: str, now: float, reason: str, denylist_until: float | None
) -> bool:
    session = state.sessions.get(session_id)
    if session is None or session.revoked_at is not None:
        return False
    state.sessions[session_id] = dataclasses.replace(session, revoked_at=now, revoked_reason=reason)
    if denylist_until is not None:
        append_revocation(state, "session", session_id, now, now, denylist_until)
    return True


def _add_token(
    state: MemoryState, session_id: str, token_hash: str, now: float, expires_at: float
) -> RefreshToken:
    if session_id not in state.sessions:
        raise NotFoundError("No such session")
    if token_hash in state.tokens:
        raise ValueError("duplicate refresh token hash")
    token = RefreshToken(new_id(), session_id, token_hash, now, expires_at, None, None)
    state.tokens[token_hash] = token
    state.token_hashes[token.id] = token_hash
    return token


def _apply_rotation(
    state: MemoryState,
    decision: RotationDecision,
    token: RefreshToken | None,
    session: Session | None,
    now: float,
) -> RotationResult:
    """``decision`` applied (see ``Store.rotate_refresh``)."""
    if isinstance(decision, Reject) or token is None or session is None:
        return RotationResult(decision, token, session)
    if isinstance(decision, Rotate):
        successor = _add_token(state, session.id, decision.token_hash, now, decision.expires_at)
        token = dataclasses.replace(
            token, spent_at=now, successor_id=successor.id, successor_sealed=decision.sealed
        )
        state.tokens[token.token_hash] = token
        session = dataclasses.replace(session, last_used_at=now)
        state.sessions[session.id] = session
        return RotationResult(decision, token, session, successor, decision.sealed)
    if isinstance(decision, Replay):
        existing = None
        if token.successor_id is not None:
            existing = state.tokens.get(state.token_hashes[token.successor_id])
        return RotationResult(decision, token, session, existing, token.successor_sealed)
    assert isinstance(decision, RevokeSession)
    _revoke(state, session.id, now, decision.reason, decision.denylist_until)
    return RotationResult(decision, token, state.sessions[session.id])
