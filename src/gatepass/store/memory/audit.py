"""``AuditStore`` in memory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gatepass.store.memory.state import MemoryPart, MemoryState
from gatepass.store.records import AuditEvent
from gatepass.store.rotation import Requester
from gatepass.store.validation import page

__all__ = ["MemoryAuditStore", "audit_entry"]


class MemoryAuditStore(MemoryPart):
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
        async with self.state.lock:
            entry = audit_entry(
                self.state, event, at, user_id, session_id, Requester(ip, user_agent, detail)
            )
            self.state.audit.append(entry)
            return entry

    async def list_audit_events(
        self, *, limit: int = 100, user_id: str | None = None
    ) -> list[AuditEvent]:
        events = [e for e in reversed(self.state.audit) if user_id is None or e.user_id == user_id]
        return events[: page(limit)[0]]


def audit_entry(
    state: MemoryState,
    event: str,
    at: float,
    user_id: str | None,
    session_id: str | None,
    requester: Requester,
) -> AuditEvent:
    """The row to append; built before any change, so a bad ``detail`` changes nothing."""
    # Round-trip through JSON so the memory store refuses what SQL would.
    data = json.loads(json.dumps(dict(requester.detail or {})))
    return AuditEvent(
        next(state.audit_ids),
        at,
        event,
        user_id,
        session_id,
        requester.ip,
        requester.user_agent,
        data,
    )
