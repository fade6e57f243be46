"""``SqlStore``: the Store protocol on SQLite or PostgreSQL, one code path."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.errors import InvalidKeyError, NotFoundError, ServiceUnavailableError, UserExistsError
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
from gatepass.store.sql import rows
from gatepass.store.sql.account_tokens import SqlAccountTokens
from gatepass.store.sql.engine import create_engine, transaction
from gatepass.store.sql.migrate import run_migrations
from gatepass.store.sql.outbox import SqlOutbox
from gatepass.store.sql.tables import (
    audit_events,
    refresh_tokens,
    revocations,
    sessions,
    signing_keys,
    users,
)
from gatepass.store.validation import check_key_status, check_revocation_kind, page

__all__ = ["SqlStore"]


def _unstorable(key: str) -> bool:
    """A key no row can have: PostgreSQL text cannot hold NUL, and would fail the query."""
    return "\x00" in key


class SqlStore(SqlAccountTokens, SqlOutbox):
    def __init__(self, database_url: str, *, search_path: str | None = None) -> None:
        self._engine = create_engine(database_url, search_path=search_path)

    def _read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return transaction(self._engine, write=False)

    def _write(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return transaction(self._engine, write=True)

    # --- lifecycle ------------------------------------------------------

    async def migrate(self) -> None:
        async with self._write() as conn:
            await run_migrations(conn)

    async def health(self) -> None:
        async with self._read() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def close(self) -> None:
        try:
            await self._engine.dispose()
        except OSError as error:  # pragma: no cover - closing a pool to a dead server
            raise ServiceUnavailableError() from error

    # --- users ----------------------------------------------------------

    async def create_user(
        self, email: str, password_hash: str, *, now: float, role: str = "user"
    ) -> User:
        user = User(new_id(), normalise_email(email), password_hash, role, False, now)
        try:
            async with self._write() as conn:
                await conn.execute(
                    insert(users).values(
                        id=user.id,
                        email=user.email,
                        password_hash=user.password_hash,
                        role=user.role,
                        disabled=user.disabled,
                        created_at=user.created_at,
                    )
                )
        except IntegrityError:
            raise UserExistsError() from None
        return user

    async def get_user(self, user_id: str) -> User | None:
        if _unstorable(user_id):
            return None
        async with self._read() as conn:
            return await _get_user(conn, user_id)

    async def get_user_by_email(self, email: str) -> User | None:
        if _unstorable(email):
            return None
        query = select(users).where(users.c.email == email_lookup_key(email))
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else rows.to_user(row)

    async def update_user(
        self,
        user_id: str,
        *,
        password_hash: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
    ) -> User:
        if _unstorable(user_id):
            raise NotFoundError("No such user")
        changes = {
            "password_hash": password_hash,
            "role": role,
            "disabled": disabled,
        }
        values = {k: v for k, v in changes.items() if v is not None}
        async with self._write() as conn:
            if values:
                await conn.execute(update(users).where(users.c.id == user_id).values(**values))
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        if row is None:
            raise NotFoundError("No such user")
        return rows.to_user(row)

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        limit, offset = page(limit, offset)
        query = select(users).order_by(users.c.created_at, users.c.id).limit(limit).offset(offset)
        async with self._read() as conn:
            return [rows.to_user(r) for r in await conn.execute(query)]

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
        session = Session(
            new_session_id(), user_id, now, now, expires_at, None, None, user_agent, ip
        )
        try:
            async with self._write() as conn:
                await _insert_session(conn, session)
        except IntegrityError:
            raise NotFoundError("No such user") from None
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
    ) -> tuple[Session, RefreshToken]:
        session = Session(
            new_session_id(), user_id, now, now, expires_at, None, None, user_agent, ip
        )
        try:
            async with self._write() as conn:
                await _insert_session(conn, session)
                token = await _insert_token(conn, session.id, token_hash, now, refresh_expires_at)
                await _insert_audit(
                    conn, "login", now, user_id, session.id, Requester(ip, user_agent)
                )
        except IntegrityError:
            raise NotFoundError("No such user") from None
        return session, token

    async def get_session(self, session_id: str) -> Session | None:
        if _unstorable(session_id):
            return None
        async with self._read() as conn:
            return await _get_session(conn, session_id, lock=False)

    async def touch_session(self, session_id: str, *, now: float) -> None:
        if _unstorable(session_id):
            return
        async with self._write() as conn:
            await conn.execute(
                update(sessions).where(sessions.c.id == session_id).values(last_used_at=now)
            )

    async def list_active_sessions(self, user_id: str, *, now: float) -> list[Session]:
        if _unstorable(user_id):
            return []
        query = (
            select(sessions)
            .where(
                sessions.c.user_id == user_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > now,
            )
            .order_by(sessions.c.last_used_at.desc(), sessions.c.id)
        )
        async with self._read() as conn:
            return [rows.to_session(r) for r in await conn.execute(query)]

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
        query = select(sessions)
        if user_id is not None:
            query = query.where(sessions.c.user_id == user_id)
        if active_only:
            query = query.where(sessions.c.revoked_at.is_(None), sessions.c.expires_at > now)
        query = (
            query.order_by(sessions.c.last_used_at.desc(), sessions.c.id)
            .limit(limit)
            .offset(offset)
        )
        async with self._read() as conn:
            return [rows.to_session(r) for r in await conn.execute(query)]

    async def revoke_session(
        self,
        session_id: str,
        *,
        now: float,
        reason: str,
        denylist_until: float | None = None,
    ) -> bool:
        if _unstorable(session_id):
            return False
        async with self._write() as conn:
            return await _revoke_session(conn, session_id, now, reason, denylist_until)

    async def revoke_user_sessions(self, user_id: str, *, now: float, reason: str) -> list[str]:
        live = (sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        async with self._write() as conn:
            ids = sorted((await conn.execute(select(sessions.c.id).where(*live))).scalars())
            await conn.execute(
                update(sessions).where(*live).values(revoked_at=now, revoked_reason=reason)
            )
        return ids

    # --- refresh tokens -------------------------------------------------

    async def add_refresh_token(
        self, session_id: str, token_hash: str, *, now: float, expires_at: float
    ) -> RefreshToken:
        async with self._write() as conn:
            if await _get_session(conn, session_id, lock=False) is None:
                raise NotFoundError("No such session")
            return await _insert_token(conn, session_id, token_hash, now, expires_at)

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        if _unstorable(token_hash):
            return None
        async with self._read() as conn:
            return await _get_token(conn, refresh_tokens.c.token_hash == token_hash, lock=False)

    async def get_refresh_token_by_id(self, token_id: str) -> RefreshToken | None:
        if _unstorable(token_id):
            return None
        async with self._read() as conn:
            return await _get_token(conn, refresh_tokens.c.id == token_id, lock=False)

    async def rotate_refresh(
        self, token_hash: str, now: float, decide: Decide, *, audit: Requester | None = None
    ) -> RotationResult:
        async with self._write() as conn:
            # Lock order everywhere: token row, then its session.
            token = await _get_token(conn, refresh_tokens.c.token_hash == token_hash, lock=True)
            session = None if token is None else await _get_session(conn, token.session_id, True)
            user = None if session is None else await _get_user(conn, session.user_id)
            decision = for_account(decide(token, session, now), user)
            result = await _apply_rotation(conn, decision, token, session, now)
            event = audit_event(decision)
            if audit is not None and event is not None and session is not None:
                await _insert_audit(conn, event, now, session.user_id, session.id, audit)
        return dataclasses.replace(result, user=user)

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
        async with self._write() as conn:
            return await _insert_revocation(conn, kind, subject, not_before, now, expires_at)

    async def revocations_since(self, seq: int, *, limit: int = 1000) -> list[Revocation]:
        query = (
            select(revocations)
            .where(revocations.c.seq > seq)
            .order_by(revocations.c.seq)
            .limit(page(limit)[0])
        )
        async with self._read() as conn:
            return [rows.to_revocation(r) for r in await conn.execute(query)]

    async def live_revocations(self, *, now: float) -> list[Revocation]:
        query = (
            select(revocations).where(revocations.c.expires_at > now).order_by(revocations.c.seq)
        )
        async with self._read() as conn:
            return [rows.to_revocation(r) for r in await conn.execute(query)]

    async def purge_revocations(self, *, now: float) -> int:
        async with self._write() as conn:
            result = await conn.execute(delete(revocations).where(revocations.c.expires_at <= now))
        return int(result.rowcount)

    # --- signing keys ---------------------------------------------------

    async def add_signing_key(self, key: SigningKey) -> None:
        check_key_status(key.status)
        try:
            async with self._write() as conn:
                await _insert_key(conn, key)
        except IntegrityError:
            raise InvalidKeyError("A signing key with this kid already exists") from None

    async def add_first_signing_key(self, key: SigningKey) -> bool:
        check_key_status(key.status)
        active = select(signing_keys.c.kid).where(signing_keys.c.status == "active").limit(1)
        try:
            async with self._write() as conn:  # SQLite: BEGIN IMMEDIATE serialises writers
                await _serialise(conn, _KEYS_LOCK)
                if (await conn.execute(active)).first() is not None:
                    return False
                await _insert_key(conn, key)
                return True
        except IntegrityError:
            raise InvalidKeyError("A signing key with this kid already exists") from None

    async def list_signing_keys(
        self, *, statuses: Collection[KeyStatus] | None = None
    ) -> list[SigningKey]:
        query = select(signing_keys).order_by(signing_keys.c.created_at, signing_keys.c.kid)
        if statuses is not None:
            query = query.where(signing_keys.c.status.in_(list(statuses)))
        async with self._read() as conn:
            return [rows.to_key(r) for r in await conn.execute(query)]

    async def set_signing_key_status(
        self, kid: str, status: KeyStatus, *, retire_at: float | None = None
    ) -> SigningKey:
        check_key_status(status)
        values: dict[str, Any] = {"status": status}
        if retire_at is not None:
            values["retire_at"] = retire_at
        async with self._write() as conn:
            await conn.execute(update(signing_keys).where(signing_keys.c.kid == kid).values(values))
            row = (
                await conn.execute(select(signing_keys).where(signing_keys.c.kid == kid))
            ).first()
        if row is None:
            raise NotFoundError("No such signing key")
        return rows.to_key(row)

    async def replace_private_jwk(self, kid: str, *, expected: str, private_jwk: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(signing_keys)
                .where(signing_keys.c.kid == kid, signing_keys.c.private_jwk == expected)
                .values(private_jwk=private_jwk)
            )
        return bool(result.rowcount)

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
        requester = Requester(ip, user_agent, detail)
        async with self._write() as conn:
            return await _insert_audit(conn, event, at, user_id, session_id, requester)

    async def list_audit_events(
        self, *, limit: int = 100, user_id: str | None = None
    ) -> list[AuditEvent]:
        query = select(audit_events).order_by(audit_events.c.id.desc()).limit(page(limit)[0])
        if user_id is not None:
            query = query.where(audit_events.c.user_id == user_id)
        async with self._read() as conn:
            return [rows.to_audit(r) for r in await conn.execute(query)]


# --- statements shared inside transactions ------------------------------


async def _get_user(conn: AsyncConnection, user_id: str) -> User | None:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    return None if row is None else rows.to_user(row)


async def _insert_session(conn: AsyncConnection, session: Session) -> None:
    await conn.execute(
        insert(sessions).values(
            id=session.id,
            user_id=session.user_id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            expires_at=session.expires_at,
            user_agent=session.user_agent,
            ip=session.ip,
        )
    )


async def _get_session(conn: AsyncConnection, session_id: str, lock: bool) -> Session | None:
    query = select(sessions).where(sessions.c.id == session_id)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else rows.to_session(row)


async def _get_token(conn: AsyncConnection, where: Any, lock: bool) -> RefreshToken | None:
    query = select(refresh_tokens).where(where)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else rows.to_token(row)


async def _insert_token(
    conn: AsyncConnection, session_id: str, token_hash: str, now: float, expires_at: float
) -> RefreshToken:
    token = RefreshToken(new_id(), session_id, token_hash, now, expires_at, None, None)
    try:
        await conn.execute(
            insert(refresh_tokens).values(
                id=token.id,
                session_id=session_id,
                token_hash=token_hash,
                created_at=now,
                expires_at=expires_at,
            )
        )
    except IntegrityError:
        # Fails the whole transaction; a 256-bit token never collides by chance.
        raise ValueError("duplicate refresh token hash") from None
    return token


async def _apply_rotation(
    conn: AsyncConnection,
    decision: RotationDecision,
    token: RefreshToken | None,
    session: Session | None,
    now: float,
) -> RotationResult:
    """``decision`` applied to the locked rows (see ``Store.rotate_refresh``)."""
    if isinstance(decision, Reject) or token is None or session is None:
        return RotationResult(decision, token, session)
    if isinstance(decision, Rotate):
        successor = await _insert_token(
            conn, session.id, decision.token_hash, now, decision.expires_at
        )
        token = dataclasses.replace(
            token, spent_at=now, successor_id=successor.id, successor_sealed=decision.sealed
        )
        await conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.id == token.id)
            .values(spent_at=now, successor_id=successor.id, successor_sealed=decision.sealed)
        )
        await conn.execute(
            update(sessions).where(sessions.c.id == session.id).values(last_used_at=now)
        )
        session = dataclasses.replace(session, last_used_at=now)
        return RotationResult(decision, token, session, successor, decision.sealed)
    if isinstance(decision, Replay):
        existing = None
        if token.successor_id is not None:
            existing = await _get_token(conn, refresh_tokens.c.id == token.successor_id, lock=False)
        return RotationResult(decision, token, session, existing, token.successor_sealed)
    assert isinstance(decision, RevokeSession)
    await _revoke_session(conn, session.id, now, decision.reason, decision.denylist_until)
    return RotationResult(decision, token, await _get_session(conn, session.id, False))


async def _insert_audit(
    conn: AsyncConnection,
    event: str,
    at: float,
    user_id: str | None,
    session_id: str | None,
    requester: Requester,
) -> AuditEvent:
    detail = dict(requester.detail or {})
    text = json.dumps(detail, separators=(",", ":"), sort_keys=True)
    statement = insert(audit_events).values(
        at=at,
        event=event,
        user_id=user_id,
        session_id=session_id,
        ip=requester.ip,
        user_agent=requester.user_agent,
        detail=text,
    )
    result = await conn.execute(statement.returning(audit_events.c.id))
    return AuditEvent(
        int(result.scalar_one()),
        at,
        event,
        user_id,
        session_id,
        requester.ip,
        requester.user_agent,
        json.loads(text),
    )


async def _revoke_session(
    conn: AsyncConnection,
    session_id: str,
    now: float,
    reason: str,
    denylist_until: float | None,
) -> bool:
    result = await conn.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    if result.rowcount == 0:
        return False
    if denylist_until is not None:
        await _insert_revocation(conn, "session", session_id, now, now, denylist_until)
    return True


# PostgreSQL advisory lock ids (SQLite write transactions are serialised already).
_KEYS_LOCK = int.from_bytes(b"gp:keys", "big")
_REVOCATIONS_LOCK = int.from_bytes(b"gp:revoc", "big")


async def _serialise(conn: AsyncConnection, lock_id: int) -> None:
    """Hold a PostgreSQL advisory lock until the transaction ends."""
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock(lock_id)))


async def _insert_key(conn: AsyncConnection, key: SigningKey) -> None:
    await conn.execute(
        insert(signing_keys).values(
            kid=key.kid,
            alg=key.alg,
            private_jwk=key.private_jwk,
            public_jwk=key.public_jwk,
            status=key.status,
            created_at=key.created_at,
            retire_at=key.retire_at,
        )
    )


async def _insert_revocation(
    conn: AsyncConnection,
    kind: RevocationKind,
    subject: str,
    not_before: float,
    now: float,
    expires_at: float,
) -> Revocation:
    # Serialised until commit, so entries become visible in seq order: without
    # it, a feed reader could see seq n+1 committed before n and skip n for good.
    await _serialise(conn, _REVOCATIONS_LOCK)
    values = {
        "kind": kind,
        "subject": subject,
        "not_before": not_before,
        "created_at": now,
        "expires_at": expires_at,
    }
    result = await conn.execute(insert(revocations).values(values).returning(revocations.c.seq))
    return Revocation(int(result.scalar_one()), kind, subject, not_before, now, expires_at)
