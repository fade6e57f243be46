"""A rotation's writes: the successor, the spent token, the session's use, the audit row.

PostgreSQL takes them as ONE statement (data-modifying CTEs: the insert of the
successor, the two updates and the audit insert travel together), so a
refresh's transaction is its locked read, this statement and the commit.
SQLite has no data-modifying CTEs: the same four statements one by one, inside
the same write transaction (``BEGIN IMMEDIATE``), which costs no round trips.
"""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert, Update

from gatepass.store.records import RefreshToken, new_id
from gatepass.store.sql.engine import execute_together
from gatepass.store.sql.tables import refresh_tokens, sessions

__all__ = ["token_insert", "write_rotation"]


async def write_rotation(
    conn: AsyncConnection,
    *,
    spent: RefreshToken,
    token_hash: str,
    expires_at: float,
    sealed: bytes | None,
    now: float,
    audit: Insert | None,
) -> RefreshToken:
    """Write the rotation of ``spent`` (and the ``audit`` row when given); the successor."""
    successor = RefreshToken(new_id(), spent.session_id, token_hash, now, expires_at, None, None)
    statements: list[Insert | Update] = [
        token_insert(successor),
        update(refresh_tokens)
        .where(refresh_tokens.c.id == spent.id)
        .values(spent_at=now, successor_id=successor.id, successor_sealed=sealed),
        update(sessions).where(sessions.c.id == spent.session_id).values(last_used_at=now),
    ]
    if audit is not None:
        statements.append(audit)
    try:
        await execute_together(conn, statements)
    except IntegrityError:
        # Fails the whole transaction; a 256-bit token never collides by chance.
        raise ValueError("duplicate refresh token hash") from None
    return successor


def token_insert(token: RefreshToken) -> Insert:
    """The insert of a new refresh token (a login's first, a rotation's successor)."""
    return insert(refresh_tokens).values(
        id=token.id,
        session_id=token.session_id,
        token_hash=token.token_hash,
        created_at=token.created_at,
        expires_at=token.expires_at,
    )
