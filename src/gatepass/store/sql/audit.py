"""``AuditStore`` on SQL: the audit_events table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.sql.dml import Insert

from gatepass.store.records import AuditEvent
from gatepass.store.rotation import Requester
from gatepass.store.sql import rows
from gatepass.store.sql.engine import SqlPart
from gatepass.store.sql.tables import audit_events
from gatepass.store.validation import page

__all__ = ["SqlAuditStore", "audit_insert", "audit_values"]


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
        values = audit_values(event, at, user_id, session_id, Requester(ip, user_agent, detail))
        statement = insert(audit_events).values(**values).returning(audit_events.c.id)
        async with self.writing() as conn:
            event_id = int((await conn.execute(statement)).scalar_one())
        return AuditEvent(
            event_id,
            at,
            event,
            user_id,
            session_id,
            ip,
            user_agent,
            json.loads(values["detail"]),
        )

    async def list_audit_events(
        self, *, limit: int = 100, user_id: str | None = None
    ) -> list[AuditEvent]:
        query = select(audit_events).order_by(audit_events.c.id.desc()).limit(page(limit)[0])
        if user_id is not None:
            query = query.where(audit_events.c.user_id == user_id)
        async with self.reading_one() as conn:
            return [rows.to_audit(r) for r in await conn.execute(query)]


def audit_values(
    event: str, at: float, user_id: str | None, session_id: str | None, requester: Requester
) -> dict[str, Any]:
    """The columns of one audit row (``add_audit_event``, ``audit_insert``)."""
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


def audit_insert(
    event: str, at: float, user_id: str | None, session_id: str | None, requester: Requester
) -> Insert:
    """The insert of one audit row, to travel with other writes (a login's and a
    refresh's one statement, ``execute_together``)."""
    return insert(audit_events).values(**audit_values(event, at, user_id, session_id, requester))
