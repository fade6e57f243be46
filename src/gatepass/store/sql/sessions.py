"""``SessionStore`` and ``TokenStore`` on SQL: sessions, their refresh tokens, rotation.

One module because a login and a refresh each write both tables (and an
audit row) in ONE transaction.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from gatepass.errors import NotFoundError
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
from gatepass.store.sql import rows
from gatepass.store.sql.audit import audit_insert
from gatepass.store.sql.engine import SqlPart, execute_together, unstorable
from gatepass.store.sql.revocations import insert_revocation
from gatepass.store.sql.rotation_read import read_rotation
from gatepass.store.sql.rotation_write import token_insert, write_rotation
from gatepass.store.sql.tables import refresh_tokens, sessions
from gatepass.store.sql.users import select_user
from gatepass.store.validation import page

__all__ = ["SqlSessionStore", "SqlTokenStore"]


class SqlSessionStore(SqlPart):
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
            async with self.writing() as conn:
                await conn.execute(_session_insert(session))
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
        amr: tuple[str, ...] = (),
    ) -> tuple[Session, RefreshToken]:
        session = Session(
            new_session_id(), user_id, now, now, expires_at, None, None, user_agent, ip, tuple(amr)
        )
        token = RefreshToken(new_id(), session.id, token_hash, now, refresh_expires_at, None, None)
        audit = audit_insert("login", now, user_id, session.id, Requester(ip, user_agent))
        try:  # one round trip on PostgreSQL: the three inserts as one statement
            async with self.writing_together() as conn:
                await execute_together(conn, [_session_insert(session), token_insert(token), audit])
        except IntegrityError:
            async with self.reading_one() as conn:
                if await select_user(conn, user_id) is None:
                    raise NotFoundError("No such user") from None
            # Fails the whole transaction; a 256-bit token never collides by chance.
            raise ValueError("duplicate refresh token hash") from None
        return session, token

    async def get_session(self, session_id: str) -> Session | None:
        if unstorable(session_id):
            return None
        async with self.reading_one() as conn:
            return await _get_session(conn, session_id, lock=False)

    async def reauthenticate_session(
        self, session_id: str, *, now: float, amr: tuple[str, ...]
    ) -> Session | None:
        if unstorable(session_id):
            return None
        async with self.writing() as conn:
            changed = await conn.execute(
                update(sessions)
                .where(
                    sessions.c.id == session_id,
                    sessions.c.revoked_at.is_(None),
                    sessions.c.expires_at > now,
                )
                .values(reauthenticated_at=now, amr=" ".join(amr) or None)
            )
            if changed.rowcount != 1:
                return None
            return await _get_session(conn, session_id, lock=False)

    async def touch_session(self, session_id: str, *, now: float) -> None:
        if unstorable(session_id):
            return
        async with self.writing() as conn:
            await conn.execute(
                update(sessions).where(sessions.c.id == session_id).values(last_used_at=now)
            )

    async def list_active_sessions(self, user_id: str, *, now: float) -> list[Session]:
        if unstorable(user_id):
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
        async with self.reading_one() as conn:
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
        async with self.reading_one() as conn:
            return [rows.to_session(r) for r in await conn.execute(query)]

    async def revoke_session(
        self,
        session_id: str,
        *,
        now: float,
        reason: str,
        denylist_until: float | None = None,
    ) -> bool:
        if unstorable(session_id):
            return False
        async with self.writing() as conn:
            return await _revoke_session(conn, session_id, now, reason, denylist_until)

    async def revoke_user_sessions(self, user_id: str, *, now: float, reason: str) -> list[str]:
        live = (sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        async with self.writing() as conn:
            ids = sorted((await conn.execute(select(sessions.c.id).where(*live))).scalars())
            await conn.execute(
                update(sessions).where(*live).values(revoked_at=now, revoked_reason=reason)
            )
        return ids


class SqlTokenStore(SqlPart):
    async def add_refresh_token(
        self, session_id: str, token_hash: str, *, now: float, expires_at: float
    ) -> RefreshToken:
        async with self.writing() as conn:
            if await _get_session(conn, session_id, lock=False) is None:
                raise NotFoundError("No such session")
            return await _insert_token(conn, session_id, token_hash, now, expires_at)

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        if unstorable(token_hash):
            return None
        async with self.reading_one() as conn:
            return await _get_token(conn, refresh_tokens.c.token_hash == token_hash, lock=False)

    async def get_refresh_token_by_id(self, token_id: str) -> RefreshToken | None:
        if unstorable(token_id):
            return None
        async with self.reading_one() as conn:
            return await _get_token(conn, refresh_tokens.c.id == token_id, lock=False)

    async def rotate_refresh(
        self, token_hash: str, now: float, decide: Decide, *, audit: Requester | None = None
    ) -> RotationResult:
        async with self.writing() as conn:
            token, session, user = await read_rotation(conn, token_hash)
            decision = for_account(decide(token, session, now), user)
            event = audit_event(decision)
            row = None
            if audit is not None and event is not None and session is not None:
                row = audit_insert(event, now, session.user_id, session.id, audit)
            if isinstance(decision, Rotate) and token is not None and session is not None:
                # The common case: its writes and its audit row in one statement.
                successor = await write_rotation(
                    conn,
                    spent=token,
                    token_hash=decision.token_hash,
                    expires_at=decision.expires_at,
                    sealed=decision.sealed,
                    now=now,
                    audit=row,
                )
                token = dataclasses.replace(
                    token, spent_at=now, successor_id=successor.id, successor_sealed=decision.sealed
                )
                session = dataclasses.replace(session, last_used_at=now)
                return RotationResult(decision, token, session, successor, decision.sealed, user)
            result = await _apply_rotation(conn, decision, token, session, now)
            if row is not None:
                await conn.execute(row)
        return dataclasses.replace(result, user=user)


# --- statements shared inside transactions ------------------------------


def _session_insert(session: Session) -> Insert:
    return insert(sessions).values(
        id=session.id,
        user_id=session.user_id,
        created_at=session.created_at,
        last_used_at=session.last_used_at,
        expires_at=session.expires_at,
        user_agent=session.user_agent,
        ip=session.ip,
        amr=" ".join(session.amr) or None,
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
        await conn.execute(token_insert(token))
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
    if isinstance(decision, Replay):
        existing = None
        if token.successor_id is not None:
            existing = await _get_token(conn, refresh_tokens.c.id == token.successor_id, lock=False)
        return RotationResult(decision, token, session, existing, token.successor_sealed)
    assert isinstance(decision, RevokeSession)
    await _revoke_session(conn, session.id, now, decision.reason, decision.denylist_until)
    return RotationResult(decision, token, await _get_session(conn, session.id, False))


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
        await insert_revocation(conn, "session", session_id, now, now, denylist_until)
    return True
