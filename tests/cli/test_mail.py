"""`gatepass mail list|retry` on a temporary database."""

from __future__ import annotations

import time

from gatepass.mail.messages import MailWriter
from gatepass.mail.outbox import Outbox
from gatepass.store import Store
from gatepass.store.outbox import OutboxEntry
from tests.cli.conftest import Cli

WRITER = MailWriter("https://app.example.com")


def _setup(cli: Cli) -> tuple[str, str, str]:
    """Three mails: one sent, one failed for good, one waiting; returns their ids."""

    async def work(store: Store) -> tuple[str, str, str]:
        now = time.time()
        outbox = Outbox(store, "k" * 43)
        sent = await outbox.enqueue(WRITER.account_deleted("sent@example.com"), now=now - 3)
        dead = await outbox.enqueue(WRITER.registration_attempt("dead@example.com"), now=now - 2)
        wait = await outbox.enqueue(WRITER.password_changed("wait@example.com"), now=now - 1)
        await store.claim_mail(now=now, lease=300)
        await store.mark_mail_sent(sent.id, now=now)
        await store.mark_mail_failed(dead.id, error="550 5.1.1 no such user", retry_at=None)
        await store.mark_mail_failed(wait.id, error="Connection refused", retry_at=now + 600)
        return sent.id, dead.id, wait.id

    return cli.store(work)


def _mails(cli: Cli) -> list[OutboxEntry]:
    async def work(store: Store) -> list[OutboxEntry]:
        return await store.list_mail()

    return cli.store(work)


def test_list_shows_every_mail_newest_first(cli: Cli) -> None:
    sent, dead, wait = _setup(cli)
    listed = cli.json("mail", "list")
    assert isinstance(listed, dict)
    mails = listed["mails"]
    assert [m["id"] for m in mails] == [wait, dead, sent]
    assert set(mails[0]) == {
        "id",
        "kind",
        "to",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    }
    assert [(m["status"], m["kind"], m["to"]) for m in mails] == [
        ("pending", "password_changed", "wait@example.com"),
        ("failed", "registration_attempt", "dead@example.com"),
        ("sent", "account_deleted", "sent@example.com"),
    ]
    assert mails[1]["last_error"] == "550 5.1.1 no such user"
    assert mails[2]["next_attempt_at"] is None

    table = cli("mail", "list")
    assert table.exit_code == 0, table.output
    assert "Connection refused" in table.output
    assert "given up" in table.output
    assert "in 10 min" in table.output


def test_list_by_status(cli: Cli) -> None:
    _, dead, _ = _setup(cli)
    listed = cli.json("mail", "list", "--status", "failed")
    assert isinstance(listed, dict)
    assert [m["id"] for m in listed["mails"]] == [dead]
    bad = cli("mail", "list", "--status", "lost")
    assert bad.exit_code == 2
    assert "--status must be one of" in bad.output


def test_retry_one_mail(cli: Cli) -> None:
    sent, dead, _ = _setup(cli)
    result = cli("mail", "retry", dead)
    assert (result.exit_code, result.output) == (0, "1 mail queued again\n")
    [revived] = [m for m in _mails(cli) if m.id == dead]
    assert revived.status == "pending"
    assert revived.next_attempt_at <= time.time()
    gone = cli("mail", "retry", sent)
    assert gone.exit_code == 2
    assert "not_found" in gone.output


def test_retry_all(cli: Cli) -> None:
    _setup(cli)
    result = cli("mail", "retry", "--all")
    assert (result.exit_code, result.output) == (0, "2 mails queued again\n")
    assert sorted(m.status for m in _mails(cli)) == ["pending", "pending", "sent"]


def test_retry_needs_an_id_or_all_but_not_both(cli: Cli) -> None:
    _, dead, _ = _setup(cli)
    for args in ((), (dead, "--all")):
        result = cli("mail", "retry", *args)
        assert result.exit_code == 2
        assert "give a mail id or --all" in result.output


def test_an_empty_outbox(cli: Cli) -> None:
    assert cli.json("mail", "list") == {"mails": []}
    result = cli("mail", "retry", "--all")
    assert (result.exit_code, result.output) == (0, "0 mails queued again\n")
