"""``AuditStore`` on SQL: the audit_events table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.store.records import AuditEvent
from gatepass.store.rotation import Requester
from gatepass.store.sql import rows
from gatepass.store.sql.engine import SqlPart
from gatepass.store.sql.tables import audit_events
from gatepass.store.validation import page

__all__ = ["SqlAuditStore", "audit_values", "insert_audit"]


class SqlAuditStore(SqlPart):
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
        async with self.writing() as conn:
            return await insert_audit(conn, event, at, user_id, session_id, requester)

    async def list_audit_events(
        self, *, limit: int = 100, user_id: str | None = None
    ) -> list[AuditEvent]:
        query = select(audit_events).order_by(audit_events.c.id.desc()).limit(page(limit)[0])
        if user_id is not None:
            query = query.where(audit_events.c.user_id == user_id)
        async with self.reading_one() as conn:
            return [rows.to_audit(r) for r in await conn.execute(query)]


async def insert_audit(
    conn: AsyncConnection,
    event: str,
    at: float,
    user_id: str | None,
    session_id: str | None,
    requester: Requester,
) -> AuditEvent:
    """One audit row, in the caller's transaction (a login or refresh writes it with its rows)."""
    values = audit_values(event, at, user_id, session_id, requester)
    statement = insert(audit_events).values(**values)
    result = await conn.execute(statement.returning(audit_events.c.id))
    return AuditEvent(
        int(result.scalar_one()),
        at,
        event,
        user_id,
        session_id,
        requester.ip,
        requester.user_agent,
        json.loads(values["detail"]),
    )


def audit_values(
    event: str, at: float, user_id: str | None, session_id: str | None, requester: Requester
) -> dict[str, Any]:
    """The columns of one audit row (``insert_audit``, and a refresh's one statement)."""
    detail = dict(requester.detail or {})
    return {
        "at": at,
        "event": event,
        "user_id": user_id,
        "session_id": session_id,
        "ip": requester.ip,
        "user_agent": requester.user_agent,
        "detail": json.dumps(detail, separators=(",", ":"), sort_keys=True),
    }
