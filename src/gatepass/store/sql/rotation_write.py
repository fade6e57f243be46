"""A rotation's writes: the successor, the spent token, the session's use, the audit row.

PostgreSQL takes them as ONE statement (data-modifying CTEs: the insert of the
successor, the two updates and the audit insert travel together), so a
refresh's transaction is its locked read, this statement and the commit.
SQLite has no data-modifying CTEs: the same four statements one by one, inside
the same write transaction (``BEGIN IMMEDIATE``), which costs no round trips.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert, Update

from gatepass.store.records import RefreshToken, new_id
from gatepass.store.sql.tables import audit_events, refresh_tokens, sessions

__all__ = ["write_rotation"]


async def write_rotation(
    conn: AsyncConnection,
    *,
    spent: RefreshToken,
    token_hash: str,
    expires_at: float,
    sealed: bytes | None,
    now: float,
    audit: dict[str, Any] | None,
) -> RefreshToken:
    """Write the rotation of ``spent`` (and ``audit``'s row when given); the successor."""
    successor = RefreshToken(new_id(), spent.session_id, token_hash, now, expires_at, None, None)
    statements: list[Insert | Update] = [
        insert(refresh_tokens).values(
            id=successor.id,
            session_id=spent.session_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires_at,
        ),
        update(refresh_tokens)
        .where(refresh_tokens.c.id == spent.id)
        .values(spent_at=now, successor_id=successor.id, successor_sealed=sealed),
        update(sessions).where(sessions.c.id == spent.session_id).values(last_used_at=now),
    ]
    if audit is not None:
        statements.append(insert(audit_events).values(**audit))
    try:
        if conn.dialect.name == "postgresql":
            ctes = [s.cte(f"w{i}") for i, s in enumerate(statements)]
            await conn.execute(select(literal(1)).add_cte(*ctes))
        else:
            for statement in statements:
                await conn.execute(statement)
    except IntegrityError:
        # Fails the whole transaction; a 256-bit token never collides by chance.
        raise ValueError("duplicate refresh token hash") from None
    return successor
