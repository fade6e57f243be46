"""``OutboxStore`` on SQL: the mail_outbox table.

A claim selects the due rows and moves them to the end of their lease in one
write transaction: PostgreSQL locks them ``FOR UPDATE SKIP LOCKED``, so a
second worker claiming at the same moment takes other rows; SQLite's
``BEGIN IMMEDIATE`` serialises the two claims.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row

from gatepass.store.outbox import MailStatus, OutboxEntry, check_mail_status
from gatepass.store.sql.engine import SqlPart, unstorable
from gatepass.store.sql.tables import mail_outbox
from gatepass.store.validation import page

__all__ = ["SqlOutboxStore"]

_COLUMNS = mail_outbox.c


class SqlOutboxStore(SqlPart):
    async def enqueue_mail(self, entry: OutboxEntry) -> None:
        async with self.writing() as conn:
            await conn.execute(
                insert(mail_outbox).values(
                    id=entry.id,
                    kind=entry.kind,
                    recipient=entry.recipient,
                    sealed=entry.sealed,
                    status=entry.status,
                    attempts=entry.attempts,
                    created_at=entry.created_at,
                    next_attempt_at=entry.next_attempt_at,
                    sent_at=entry.sent_at,
                    last_error=entry.last_error,
                )
            )

    async def claim_mail(self, *, now: float, lease: float, limit: int = 20) -> list[OutboxEntry]:
        due = (
            select(_COLUMNS.id)
            .where(_COLUMNS.status == "pending", _COLUMNS.next_attempt_at <= now)
            .order_by(_COLUMNS.next_attempt_at, _COLUMNS.id)
            .limit(page(limit)[0])
            .with_for_update(skip_locked=True)
        )
        async with self.writing() as conn:
            ids = list((await conn.execute(due)).scalars())
            if not ids:
                return []
            claimed = await conn.execute(
                update(mail_outbox)
                .where(_COLUMNS.id.in_(ids))
                .values(attempts=_COLUMNS.attempts + 1, next_attempt_at=now + lease)
                .returning(*mail_outbox.c)
            )
            entries = [_to_entry(row) for row in claimed]
        return sorted(entries, key=lambda e: ids.index(e.id))

    async def mark_mail_sent(self, entry_id: str, *, now: float) -> None:
        await self._change(entry_id, status="sent", sent_at=now, sealed=None)

    async def mark_mail_failed(self, entry_id: str, *, error: str, retry_at: float | None) -> None:
        if retry_at is None:
            await self._change(entry_id, status="failed", last_error=error)
        else:
            await self._change(
                entry_id, status="pending", next_attempt_at=retry_at, last_error=error
            )

    async def _change(self, entry_id: str, **values: Any) -> None:
        async with self.writing() as conn:
            await conn.execute(update(mail_outbox).where(_COLUMNS.id == entry_id).values(values))

    async def list_mail(
        self, *, status: MailStatus | None = None, limit: int = 100, offset: int = 0
    ) -> list[OutboxEntry]:
        check_mail_status(status)
        limit, offset = page(limit, offset)
        query = select(mail_outbox)
        if status is not None:
            query = query.where(_COLUMNS.status == status)
        query = (
            query.order_by(_COLUMNS.created_at.desc(), _COLUMNS.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self.reading_one() as conn:
            return [_to_entry(row) for row in await conn.execute(query)]

    async def retry_mail(self, entry_id: str | None, *, now: float) -> int:
        chosen = update(mail_outbox).where(_COLUMNS.status != "sent")
        if entry_id is not None:
            if unstorable(entry_id):
                return 0
            chosen = chosen.where(_COLUMNS.id == entry_id)
        async with self.writing() as conn:
            result = await conn.execute(chosen.values(status="pending", next_attempt_at=now))
        return int(result.rowcount)

    async def purge_mail(self, *, sent_before: float) -> int:
        doomed = delete(mail_outbox).where(_COLUMNS.sent_at < sent_before)
        async with self.writing() as conn:
            return int((await conn.execute(doomed)).rowcount)


def _to_entry(row: Row[Any]) -> OutboxEntry:
    m = row._mapping
    sealed = m["sealed"]
    return OutboxEntry(
        id=m["id"],
        kind=m["kind"],
        recipient=m["recipient"],
        sealed=None if sealed is None else bytes(sealed),
        status=cast(MailStatus, m["status"]),
        attempts=int(m["attempts"]),
        created_at=float(m["created_at"]),
        next_attempt_at=float(m["next_attempt_at"]),
        sent_at=None if m["sent_at"] is None else float(m["sent_at"]),
        last_error=m["last_error"],
    )
