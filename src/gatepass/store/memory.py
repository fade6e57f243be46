"""An in-process store for unit tests and single-process experiments.

One ``asyncio.Lock`` makes every operation atomic, which is what the SQL
backends get from transactions and row locks.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
from collections.abc import Collection, Mapping
from typing import Any

from gatepass.errors import InvalidKeyError, NotFoundError, UserExistsError
from gatepass.store.memory_account_tokens import MemoryAccountTokens
from gatepass.store.memory_outbox import MemoryOutbox
from gatepass.store.records import (
    AuditEvent,
    KeyStatus,
    RefreshToken,
    Revocation,
    RevocationKind,
    Session,
    SigningKey,
    User,
    email_lookup_key,
    new_id,
    new_session_id,
    normalise_email,
)
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
from gatepass.store.validation import check_key_status, check_revocation_kind, page

__all__ = ["MemoryStore"]


class MemoryStore(MemoryAccountTokens, MemoryOutbox):
    def __init__(self) -> None:
        super().__init__()
        self._lock = asyncio.Lock()
        self._users: dict[str, User] = {}
        self._emails: dict[str, str] = {}
        self._sessions: dict[str, Session] = {}
        self._tokens: dict[str, RefreshToken] = {}  # by token_hash
        self._token_hashes: dict[str, str] = {}  # id -> token_hash
        self._revocations: dict[int, Revocation] = {}
        self._keys: dict[str, SigningKey] = {}
        self._audit: list[AuditEvent] = []
        self._seq = itertools.count(1)
        self._audit_ids = itertools.count(1)

    # --- lifecycle ------------------------------------------------------

    async def migrate(self) -> None:
        return None

    async def health(self) -> None:
        return None

    async def close(self) -> None:
        return None

    # --- users ----------------------------------------------------------

    async def create_user(
        self, email: str, password_hash: str, *, now: float, role: str = "user"
    ) -> User:
        email = normalise_email(email)
        async with self._lock:
            if email in self._emails:
                raise UserExistsError()
            user = User(new_id(), email, password_hash, role, False, now)
            self._users[user.id] = user
            self._emails[email] = user.id
            return user

    async def get_user(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    async def get_user_by_email(self, email: str) -> User | None:
        user_id = self._emails.get(email_lookup_key(email))
        return None if user_id is None else self._users.get(user_id)

    async def update_user(
        self,
        user_id: str,
        *,
        password_hash: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
    ) -> User:
        async with self._lock:
            user = self._users.get(user_id)
            if user is None:
                raise NotFoundError("No such user")
            changes: dict[str, Any] = {
                "password_hash": password_hash,
                "role": role,
                "disabled": disabled,
            }
            user = dataclasses.replace(user, **{k: v for k, v in changes.items() if v is not None})
            self._users[user_id] = user
            return user

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        limit, offset = page(limit, offset)
        users = sorted(self._users.values(), key=lambda u: (u.created_at, u.id))
        return users[offset : offset + limit]

    # --- sessions -------------------------------------------------------

    async def create_session(
        self,
        user_id: str,
        *,
        now: float,
        expires_at: float,
        user_agent: str | None = None,
        ip: str | None = None,
    ) -> Session:
        async with self._lock:
            session = self._new_session(user_id, now, expires_at, user_agent, ip)
            self._sessions[session.id] = session
            return session

    def _new_session(
        self, user_id: str, now: float, expires_at: float, user_agent: str | None, ip: str | None
    ) -> Session:
        if user_id not in self._users:
            raise NotFoundError("No such user")
        return Session(new_session_id(), user_id, now, now, expires_at, None, None, user_agent, ip)

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
    ) -> tuple[Session, RefreshToken]:
        async with self._lock:
            # Everything that can fail comes before the first change.
            session = self._new_session(user_id, now, expires_at, user_agent, ip)
            if token_hash in self._tokens:
                raise ValueError("duplicate refresh token hash")
            entry = self._audit_entry("login", now, user_id, session.id, Requester(ip, user_agent))
            self._sessions[session.id] = session
            token = self._add_token(session.id, token_hash, now, refresh_expires_at)
            self._audit.append(entry)
            return session, token

    async def get_session(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    async def touch_session(self, session_id: str, *, now: float) -> None:
        async with self._lock:
            session = self._sessions.get(session_id)
            if session is not None:
                self._sessions[session_id] = dataclasses.replace(session, last_used_at=now)

    async def list_active_sessions(self, user_id: str, *, now: float) -> list[Session]:
        live = [s for s in self._sessions.values() if s.user_id == user_id and s.is_live(now)]
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
            for s in self._sessions.values()
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
        async with self._lock:
            return self._revoke(session_id, now, reason, denylist_until)

    def _revoke(
        self, session_id: str, now: float, reason: str, denylist_until: float | None
    ) -> bool:
        session = self._sessions.get(session_id)
        if session is None or session.revoked_at is not None:
            return False
        self._sessions[session_id] = dataclasses.replace(
            session, revoked_at=now, revoked_reason=reason
        )
        if denylist_until is not None:
            self._add_revocation("session", session_id, now, now, denylist_until)
        return True

    async def revoke_user_sessions(self, user_id: str, *, now: float, reason: str) -> list[str]:
        async with self._lock:
            ids = [
                s.id
                for s in self._sessions.values()
                if s.user_id == user_id and s.revoked_at is None
            ]
            for session_id in ids:
                self._revoke(session_id, now, reason, None)
            return sorted(ids)

    # --- refresh tokens -------------------------------------------------

    async def add_refresh_token(
        self, session_id: str, token_hash: str, *, now: float, expires_at: float
    ) -> RefreshToken:
        async with self._lock:
            return self._add_token(session_id, token_hash, now, expires_at)

    def _add_token(
        self, session_id: str, token_hash: str, now: float, expires_at: float
    ) -> RefreshToken:
        if session_id not in self._sessions:
            raise NotFoundError("No such session")
        if token_hash in self._tokens:
            raise ValueError("duplicate refresh token hash")
        token = RefreshToken(new_id(), session_id, token_hash, now, expires_at, None, None)
        self._tokens[token_hash] = token
        self._token_hashes[token.id] = token_hash
        return token

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        return self._tokens.get(token_hash)

    async def get_refresh_token_by_id(self, token_id: str) -> RefreshToken | None:
        token_hash = self._token_hashes.get(token_id)
        return None if token_hash is None else self._tokens.get(token_hash)

    async def rotate_refresh(
        self, token_hash: str, now: float, decide: Decide, *, audit: Requester | None = None
    ) -> RotationResult:
        async with self._lock:
            token = self._tokens.get(token_hash)
            session = None if token is None else self._sessions.get(token.session_id)
            user = None if session is None else self._users.get(session.user_id)
            decision = for_account(decide(token, session, now), user)
            event = audit_event(decision)
            entry = None
            if audit is not None and event is not None and session is not None:
                # Built before any change: a failure here leaves everything as it was.
                entry = self._audit_entry(event, now, session.user_id, session.id, audit)
            result = self._apply_rotation(decision, token, session, now)
            if entry is not None:
                self._audit.append(entry)
            return dataclasses.replace(result, user=user)

    def _apply_rotation(
        self,
        decision: RotationDecision,
        token: RefreshToken | None,
        session: Session | None,
        now: float,
    ) -> RotationResult:
        if isinstance(decision, Reject) or token is None or session is None:
            return RotationResult(decision, token, session)
        if isinstance(decision, Rotate):
            successor = self._add_token(session.id, decision.token_hash, now, decision.expires_at)
            token = dataclasses.replace(
                token, spent_at=now, successor_id=successor.id, successor_sealed=decision.sealed
            )
            self._tokens[token.token_hash] = token
            session = dataclasses.replace(session, last_used_at=now)
            self._sessions[session.id] = session
            return RotationResult(decision, token, session, successor, decision.sealed)
        if isinstance(decision, Replay):
            existing = None
            if token.successor_id is not None:
                existing = self._tokens.get(self._token_hashes[token.successor_id])
            return RotationResult(decision, token, session, existing, token.successor_sealed)
        assert isinstance(decision, RevokeSession)
        self._revoke(session.id, now, decision.reason, decision.denylist_until)
        return RotationResult(decision, token, self._sessions[session.id])

    # --- revocations ----------------------------------------------------

    async def add_revocation(
        self,
        kind: RevocationKind,
        subject: str,
        *,
        not_before: float,
        now: float,
        expires_at: float,
    ) -> Revocation:
        check_revocation_kind(kind)
        async with self._lock:
            return self._add_revocation(kind, subject, not_before, now, expires_at)

    def _add_revocation(
        self, kind: RevocationKind, subject: str, not_before: float, now: float, expires_at: float
    ) -> Revocation:
        entry = Revocation(next(self._seq), kind, subject, not_before, now, expires_at)
        self._revocations[entry.seq] = entry
        return entry

    async def revocations_since(self, seq: int, *, limit: int = 1000) -> list[Revocation]:
        return [r for s, r in sorted(self._revocations.items()) if s > seq][: page(limit)[0]]

    async def live_revocations(self, *, now: float) -> list[Revocation]:
        return [r for _, r in sorted(self._revocations.items()) if r.expires_at > now]

    async def purge_revocations(self, *, now: float) -> int:
        async with self._lock:
            dead = [s for s, r in self._revocations.items() if r.expires_at <= now]
            for seq in dead:
                del self._revocations[seq]
            return len(dead)

    # --- signing keys ---------------------------------------------------

    async def add_signing_key(self, key: SigningKey) -> None:
        check_key_status(key.status)
        async with self._lock:
            if key.kid in self._keys:
                raise InvalidKeyError("A signing key with this kid already exists")
            self._keys[key.kid] = key

    async def add_first_signing_key(self, key: SigningKey) -> bool:
        check_key_status(key.status)
        async with self._lock:
            if any(k.status == "active" for k in self._keys.values()):
                return False
            if key.kid in self._keys:
                raise InvalidKeyError("A signing key with this kid already exists")
            self._keys[key.kid] = key
            return True

    async def list_signing_keys(
        self, *, statuses: Collection[KeyStatus] | None = None
    ) -> list[SigningKey]:
        keys = sorted(self._keys.values(), key=lambda k: (k.created_at, k.kid))
        return [k for k in keys if statuses is None or k.status in statuses]

    async def set_signing_key_status(
        self, kid: str, status: KeyStatus, *, retire_at: float | None = None
    ) -> SigningKey:
        check_key_status(status)
        async with self._lock:
            key = self._keys.get(kid)
            if key is None:
                raise NotFoundError("No such signing key")
            key = dataclasses.replace(
                key, status=status, retire_at=key.retire_at if retire_at is None else retire_at
            )
            self._keys[kid] = key
            return key

    async def replace_private_jwk(self, kid: str, *, expected: str, private_jwk: str) -> bool:
        async with self._lock:
            key = self._keys.get(kid)
            if key is None or key.private_jwk != expected:
                return False
            self._keys[kid] = dataclasses.replace(key, private_jwk=private_jwk)
            return True

    # --- audit ----------------------------------------------------------

    async def add_audit_event(
        self,
        event: str,
        *,
        at: float,
        user_id: str | None = None,
        session_id: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        async with self._lock:
            entry = self._audit_entry(
                event, at, user_id, session_id, Requester(ip, user_agent, detail)
            )
            self._audit.append(entry)
            return entry

    def _audit_entry(
        self,
        event: str,
        at: float,
        user_id: str | None,
        session_id: str | None,
        requester: Requester,
    ) -> AuditEvent:
        # Round-trip through JSON so the memory store refuses what SQL would.
        data = json.loads(json.dumps(dict(requester.detail or {})))
        return AuditEvent(
            next(self._audit_ids),
            at,
            event,
            user_id,
            session_id,
            requester.ip,
            requester.user_agent,
            data,
        )

    async def list_audit_events(
        self, *, limit: int = 100, user_id: str | None = None
    ) -> list[AuditEvent]:
        events = [e for e in reversed(self._audit) if user_id is None or e.user_id == user_id]
        return events[: page(limit)[0]]
