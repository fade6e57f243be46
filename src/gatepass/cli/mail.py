"""``gatepass mail list [--status]|retry ID|retry --all``: the durable mail outbox.

The outbox shows each mail's kind, recipient, status, attempts and last error;
never its body (sealed: it holds a one-time token's link). ``retry`` makes a
failed or waiting mail due now; the server's mail worker sends it at its next
pass.
"""

from __future__ import annotations

from typing import Any, cast

import typer

from gatepass.cli.output import emit_json, relative, show_table, timestamp
from gatepass.cli.runtime import MAX_OFFSET, current_time, fail, guarded, with_store
from gatepass.errors import NotFoundError
from gatepass.settings import Settings
from gatepass.store.outbox import MailStatus, OutboxEntry
from gatepass.store.protocols import Store

__all__ = ["mail_app"]

mail_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The mail outbox.")


def _mail_json(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "to": entry.recipient,
        "status": entry.status,
        "attempts": entry.attempts,
        "created_at": entry.created_at,
        "next_attempt_at": None if entry.status != "pending" else entry.next_attempt_at,
        "sent_at": entry.sent_at,
        "last_error": entry.last_error,
    }


def _when(entry: OutboxEntry, now: float) -> str:
    if entry.status == "sent":
        return f"sent {timestamp(entry.sent_at)}"
    if entry.status == "failed":
        return "given up"
    return "now" if entry.next_attempt_at <= now else relative(entry.next_attempt_at, now)


@mail_app.command("list")
@guarded
def list_mail(
    status: str | None = typer.Option(
        None, "--status", help="Only mails with this status: pending, sent or failed."
    ),
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many mails."),
    offset: int = typer.Option(0, min=0, max=MAX_OFFSET, help="Skip this many (newest first)."),
    json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Queued, sent and failed mails, newest first."""
    if status not in (None, "pending", "sent", "failed"):
        fail("invalid_argument: --status must be one of: pending, sent, failed")
    now = current_time()
    wanted = cast(MailStatus | None, status)  # checked just above

    async def work(store: Store, config: Settings) -> list[OutboxEntry]:
        return await store.list_mail(status=wanted, limit=limit, offset=offset)

    found = with_store(work)
    if json:
        emit_json({"mails": [_mail_json(e) for e in found]})
        return
    rows = [
        (
            e.id,
            e.kind,
            e.recipient,
            e.status,
            e.attempts,
            _when(e, now),
            e.last_error or "-",
        )
        for e in found
    ]
    show_table("Mail", ("id", "kind", "to", "status", "attempts", "next", "last error"), rows)


@mail_app.command("retry")
@guarded
def retry(
    mail_id: str | None = typer.Argument(None, help="The mail's id (from `gatepass mail list`)."),
    all_: bool = typer.Option(False, "--all", help="Every failed or waiting mail."),
) -> None:
    """Send a failed or waiting mail (or --all of them) at the worker's next pass."""
    if (mail_id is None) == (not all_):
        fail("usage: give a mail id or --all (not both)")

    async def work(store: Store, config: Settings) -> int:
        return await store.retry_mail(None if all_ else mail_id, now=current_time())

    count = with_store(work)
    if mail_id is not None and count == 0:
        raise NotFoundError("No failed or waiting mail has this id")
    typer.echo(f"{count} mail{'' if count == 1 else 's'} queued again")
