"""The durable mail outbox at the storage boundary: the row and its protocol.

A mail is queued in the database by the request that caused it and sent later
by ``gatepass.mail.sender`` (never inside the request), so neither a crash nor
an SMTP outage loses it. The body is kept sealed (``gatepass.mail.outbox``: it
holds a one-time token's link) and dropped once the mail is sent; the kind and
the recipient stay readable for ``gatepass mail list``.

Statuses: ``pending`` (waiting for ``next_attempt_at``), ``sent``, and
``failed`` (given up; ``retry_mail`` makes it pending again).

Claiming takes a lease: a claimed mail's ``next_attempt_at`` moves to the end of
the lease, so a worker that dies mid-send leaves it to be claimed again when
the lease ends (delivery is at least once), and two workers never claim one
mail at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = ["MAIL_STATUSES", "MailStatus", "OutboxEntry", "OutboxStore", "check_mail_status"]

MailStatus = Literal["pending", "sent", "failed"]
MAIL_STATUSES: frozenset[str] = frozenset({"pending", "sent", "failed"})


def check_mail_status(status: str | None) -> None:
    if status is not None and status not in MAIL_STATUSES:
        raise ValueError("mail status must be one of: failed, pending, sent")


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: str
    kind: str
    recipient: str
    sealed: bytes | None = field(repr=False)
    status: MailStatus
    attempts: int
    created_at: float
    next_attempt_at: float
    sent_at: float | None = None
    last_error: str | None = None


class OutboxStore(Protocol):
    async def enqueue_mail(self, entry: OutboxEntry) -> None:
        """Insert a mail (as ``gatepass.mail.outbox.Outbox.enqueue`` made it)."""
        ...

    async def claim_mail(self, *, now: float, lease: float, limit: int = 20) -> list[OutboxEntry]:
        """Up to ``limit`` pending mails due at ``now`` (oldest due first), each
        with ``attempts`` + 1 and ``next_attempt_at`` = ``now + lease``, in one
        transaction; concurrent claims never return the same mail."""
        ...

    async def mark_mail_sent(self, entry_id: str, *, now: float) -> None:
        """Sent: ``status`` sent, ``sent_at``, the sealed body dropped."""
        ...

    async def mark_mail_failed(self, entry_id: str, *, error: str, retry_at: float | None) -> None:
        """An attempt failed: pending again at ``retry_at``, or ``failed`` for good
        when it is None; ``last_error`` is kept either way."""
        ...

    async def list_mail(
        self, *, status: MailStatus | None = None, limit: int = 100, offset: int = 0
    ) -> list[OutboxEntry]:
        """Newest first, optionally of one status; paged as every list is."""
        ...

    async def retry_mail(self, entry_id: str | None, *, now: float) -> int:
        """Make a failed or pending mail (every one, for None) due at ``now``; how
        many. A sent mail is not sent again (its body is gone)."""
        ...

    async def purge_mail(self, *, sent_before: float) -> int:
        """Delete the mails sent before ``sent_before``; how many."""
        ...
