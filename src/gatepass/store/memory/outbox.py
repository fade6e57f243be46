"""``OutboxStore`` in memory.

No method awaits between its check and its change, so each is atomic on one
event loop, as the SQL backends are by their transactions.
"""

from __future__ import annotations

import dataclasses

from gatepass.store.memory.state import MemoryPart
from gatepass.store.outbox import MailStatus, OutboxEntry, check_mail_status
from gatepass.store.validation import page

__all__ = ["MemoryOutboxStore"]


class MemoryOutboxStore(MemoryPart):
    async def enqueue_mail(self, entry: OutboxEntry) -> None:
        if entry.id in self.state.outbox:
            raise ValueError("duplicate mail id")
        self.state.outbox[entry.id] = entry

    async def claim_mail(self, *, now: float, lease: float, limit: int = 20) -> list[OutboxEntry]:
        limit = page(limit)[0]
        pending = (e for e in self.state.outbox.values() if e.status == "pending")
        due = sorted(
            (e for e in pending if e.next_attempt_at <= now),
            key=lambda e: (e.next_attempt_at, e.id),
        )[:limit]
        claimed = [
            dataclasses.replace(e, attempts=e.attempts + 1, next_attempt_at=now + lease)
            for e in due
        ]
        self.state.outbox.update((e.id, e) for e in claimed)
        return claimed

    async def mark_mail_sent(self, entry_id: str, *, now: float) -> None:
        self._change(entry_id, status="sent", sent_at=now, sealed=None)

    async def mark_mail_failed(self, entry_id: str, *, error: str, retry_at: float | None) -> None:
        if retry_at is None:
            self._change(entry_id, status="failed", last_error=error)
        else:
            self._change(entry_id, status="pending", next_attempt_at=retry_at, last_error=error)

    def _change(self, entry_id: str, **changes: object) -> None:
        entry = self.state.outbox.get(entry_id)
        if entry is not None:
            self.state.outbox[entry_id] = dataclasses.replace(entry, **changes)  # type: ignore[arg-type]

    async def list_mail(
        self, *, status: MailStatus | None = None, limit: int = 100, offset: int = 0
    ) -> list[OutboxEntry]:
        check_mail_status(status)
        limit, offset = page(limit, offset)
        found = [e for e in self.state.outbox.values() if status in (None, e.status)]
        found.sort(key=lambda e: (e.created_at, e.id), reverse=True)
        return found[offset : offset + limit]

    async def retry_mail(self, entry_id: str | None, *, now: float) -> int:
        chosen = [
            e for e in self.state.outbox.values() if e.status != "sent" and entry_id in (None, e.id)
        ]
        for entry in chosen:
            self._change(entry.id, status="pending", next_attempt_at=now)
        return len(chosen)

    async def purge_mail(self, *, sent_before: float) -> int:
        doomed = [
            e.id
            for e in self.state.outbox.values()
            if e.sent_at is not None and e.sent_at < sent_before
        ]
        for entry_id in doomed:
            del self.state.outbox[entry_id]
        return len(doomed)
