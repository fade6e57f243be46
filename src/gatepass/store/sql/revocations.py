"""``RevocationStore`` on SQL: the revocations table, an append-only feed in seq order."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.store.records import Revocation, RevocationKind
from gatepass.store.sql import rows
from gatepass.store.sql.engine import SqlPart, serialise
from gatepass.store.sql.tables import revocations
from gatepass.store.validation import check_revocation_kind, page

__all__ = ["SqlRevocationStore", "insert_revocation"]

# The PostgreSQL advisory lock that serialises inserts.
_REVOCATIONS_LOCK = int.from_bytes(b"gp:revoc", "big")


class SqlRevocationStore(SqlPart):
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
        async with self.writing() as conn:
            return await insert_revocation(conn, kind, subject, not_before, now, expires_at)

    async def revocations_since(self, seq: int, *, limit: int = 1000) -> list[Revocation]:
        query = (
            select(revocations)
            .where(revocations.c.seq > seq)
            .order_by(revocations.c.seq)
            .limit(page(limit)[0])
        )
        async with self.reading_one() as conn:
            return [rows.to_revocation(r) for r in await conn.execute(query)]

    async def live_revocations(self, *, now: float) -> list[Revocation]:
        query = (
            select(revocations).where(revocations.c.expires_at > now).order_by(revocations.c.seq)
        )
        async with self.reading_one() as conn:
            return [rows.to_revocation(r) for r in await conn.execute(query)]

    async def purge_revocations(self, *, now: float) -> int:
        async with self.writing() as conn:
            result = await conn.execute(delete(revocations).where(revocations.c.expires_at <= now))
        return int(result.rowcount)


async def insert_revocation(
    conn: AsyncConnection,
    kind: RevocationKind,
    subject: str,
    not_before: float,
    now: float,
    expires_at: float,
) -> Revocation:
    """One entry, inside the caller's transaction (revoking a session denylists it with it)."""
    # Serialised until commit, so entries become visible in seq order: without
    # it, a feed reader could see seq n+1 committed before n and skip n for good.
    await serialise(conn, _REVOCATIONS_LOCK)
    values = {
        "kind": kind,
        "subject": subject,
        "not_before": not_before,
        "created_at": now,
        "expires_at": expires_at,
    }
    result = await conn.execute(insert(revocations).values(values).returning(revocations.c.seq))
    return Revocation(int(result.scalar_one()), kind, subject, not_before, now, expires_at)
