"""The mail worker against a real SMTP server (aiosmtpd on loopback), on an injected clock."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gatepass.mail.config import MailConfig
from gatepass.mail.messages import MailWriter
from gatepass.mail.outbox import Outbox
from gatepass.mail.sender import Backoff, DrainReport, MailWorker
from gatepass.mail.transport import LogTransport, SmtpTransport, transport_for
from gatepass.store import MemoryStore, User
from gatepass.store.sql.store import SqlStore
from gatepass.tokens import onetime
from tests.mail.conftest import KEK, NOW, Clock
from tests.smtp import SmtpSink

ALICE = User("a" * 32, "alice@example.com", "$argon2id$h", "user", False, NOW)
WRITER = MailWriter("https://app.example.com")


@pytest.fixture(params=["memory", "sqlite"])
async def sql_or_memory_outbox(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Outbox]:
    if request.param == "memory":
        yield Outbox(MemoryStore(), KEK)
        return
    store = SqlStore(f"sqlite:///{tmp_path / 'gatepass.db'}")
    await store.migrate()
    try:
        yield Outbox(store, KEK)
    finally:
        await store.close()


def worker(outbox: Outbox, config: MailConfig, clock: Clock) -> MailWorker:
    return MailWorker(outbox, SmtpTransport(config), clock=clock)


async def queue_reset(outbox: Outbox, clock: Clock) -> onetime.IssuedToken:
    issued = onetime.mint("reset_password", ALICE, clock())
    await outbox.enqueue(WRITER.reset_password(ALICE.email, issued), now=clock())
    return issued


async def test_a_queued_mail_is_delivered_with_both_parts_and_the_link(
    sql_or_memory_outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    outbox = sql_or_memory_outbox
    issued = await queue_reset(outbox, clock)
    report = await worker(outbox, smtp_sink.config(), clock).drain()
    assert report == DrainReport(sent=1)

    [got] = smtp_sink.received
    assert (got.sender, got.recipients) == ("noreply@example.com", ["alice@example.com"])
    message = got.message
    assert message["To"] == "alice@example.com"
    assert message["From"] == "Gatepass <noreply@example.com>"
    assert message["Subject"] == "Reset your app.example.com password"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None
    assert rich is not None
    link = f"https://app.example.com/reset-password?token={issued.token}"
    assert link in plain.get_content()
    assert f'href="{link}"' in rich.get_content()

    [row] = await outbox.store.list_mail()
    assert (row.status, row.attempts, row.sent_at, row.sealed) == ("sent", 1, NOW, None)
    assert await worker(outbox, smtp_sink.config(), clock).drain() == DrainReport()


async def test_credentials_are_used_over_loopback(
    outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    await queue_reset(outbox, clock)
    assert await worker(outbox, smtp_sink.config(credentials=True), clock).drain() == (
        DrainReport(sent=1)
    )
    wrong = dataclasses.replace(smtp_sink.config(credentials=True), password="wrong")
    await queue_reset(outbox, clock)
    assert await worker(outbox, wrong, clock).drain() == DrainReport(deferred=1)
    assert len(smtp_sink.received) == 1


async def test_smtp_down_the_mail_waits_then_goes_when_it_is_back(
    sql_or_memory_outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    outbox = sql_or_memory_outbox
    config = smtp_sink.config()
    smtp_sink.stop()
    issued = await queue_reset(outbox, clock)
    mailer = worker(outbox, config, clock)

    assert await mailer.drain() == DrainReport(deferred=1)
    [row] = await outbox.store.list_mail()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, NOW + 30)
    assert row.last_error
    assert await mailer.drain() == DrainReport()  # not due yet: nothing is tried

    clock.advance(30)
    assert await mailer.drain() == DrainReport(deferred=1)  # still down: twice as long
    [row] = await outbox.store.list_mail()
    assert (row.attempts, row.next_attempt_at) == (2, NOW + 30 + 60)

    smtp_sink.start()
    clock.advance(59)
    assert await mailer.drain() == DrainReport()
    clock.advance(1)
    assert await mailer.drain() == DrainReport(sent=1)
    [got] = smtp_sink.received
    body = got.message.get_body(("plain",))
    assert body is not None
    assert f"token={issued.token}" in body.get_content()


async def test_an_outage_defers_the_whole_batch_after_one_try(
    outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    config = smtp_sink.config()
    smtp_sink.stop()
    for _ in range(5):
        await queue_reset(outbox, clock)
    assert await worker(outbox, config, clock).drain() == DrainReport(deferred=5)
    rows = await outbox.store.list_mail()
    assert {(r.status, r.attempts, r.next_attempt_at) for r in rows} == {("pending", 1, NOW + 30)}


async def test_starttls_is_required_off_loopback(
    outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    remote = MailConfig.from_values(
        smtp_url="smtp://mailer:secret@mail.example.com",
        mail_from="noreply@example.com",
    )
    assert remote.security == "starttls"
    # The same rule, pointed at the loopback server, which offers no STARTTLS.
    config = dataclasses.replace(remote, host="127.0.0.1", port=smtp_sink.port)
    await queue_reset(outbox, clock)
    assert await worker(outbox, config, clock).drain() == DrainReport(deferred=1)
    [row] = await outbox.store.list_mail()
    assert row.status == "pending"
    assert row.last_error is not None
    assert "STARTTLS" in row.last_error.upper()
    assert smtp_sink.received == []


async def test_a_refused_recipient_fails_for_good(
    outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    smtp_sink.recorder.refuse_recipients = True
    await queue_reset(outbox, clock)
    assert await worker(outbox, smtp_sink.config(), clock).drain() == DrainReport(failed=1)
    [row] = await outbox.store.list_mail()
    assert row.status == "failed"
    assert row.last_error is not None
    assert "550" in row.last_error
    # An operator's retry sends it once the recipient is accepted.
    smtp_sink.recorder.refuse_recipients = False
    assert await outbox.store.retry_mail(row.id, now=clock()) == 1
    assert await worker(outbox, smtp_sink.config(), clock).drain() == DrainReport(sent=1)


async def test_a_mail_sealed_under_another_key_fails_for_good(
    outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    await queue_reset(outbox, clock)
    other = Outbox(outbox.store, "o" * 43)
    assert await worker(other, smtp_sink.config(), clock).drain() == DrainReport(failed=1)
    [row] = await outbox.store.list_mail()
    assert row.last_error == "the mail was sealed under another key-encryption key"
    assert smtp_sink.received == []


async def test_too_many_attempts_fail_for_good(
    outbox: Outbox, smtp_sink: SmtpSink, clock: Clock
) -> None:
    config = smtp_sink.config()
    smtp_sink.stop()
    await queue_reset(outbox, clock)
    mailer = MailWorker(outbox, SmtpTransport(config), clock=clock, backoff=Backoff(max_attempts=2))
    assert await mailer.drain() == DrainReport(deferred=1)
    clock.advance(30)
    assert await mailer.drain() == DrainReport(failed=1)
    [row] = await outbox.store.list_mail()
    assert (row.status, row.attempts) == ("failed", 2)


def test_backoff_doubles_up_to_the_cap_then_gives_up() -> None:
    backoff = Backoff(first=30, factor=2, cap=3600, max_attempts=50)
    delays = [backoff.retry_at(n, 0.0) for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff.retry_at(49, 0.0) == 3600
    assert backoff.retry_at(50, 0.0) is None
    assert Backoff(max_attempts=10_000).retry_at(5000, 0.0) == 3600


async def test_the_log_mailer_writes_one_line_per_mail_and_warns_at_start(
    outbox: Outbox, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gatepass.mail")
    transport = transport_for(MailConfig.from_values())
    assert isinstance(transport, LogTransport)
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "GATEPASS_SMTP_URL is not set" in warning.getMessage()
    caplog.clear()

    issued = await queue_reset(outbox, clock)
    await outbox.enqueue(WRITER.account_deleted(ALICE.email), now=clock())
    report = await MailWorker(outbox, transport, clock=clock).drain()
    assert report == DrainReport(sent=2)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert all("\n" not in line for line in lines)
    assert any(
        "reset_password to alice@example.com" in line and f"token={issued.token}" in line
        for line in lines
    )


async def test_mail_off_sends_nothing_and_logs_no_link(
    outbox: Outbox, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gatepass.mail")
    transport = transport_for(MailConfig.from_values(mail="off"))
    issued = await queue_reset(outbox, clock)
    assert await MailWorker(outbox, transport, clock=clock).drain() == DrainReport(sent=1)
    [line] = [r.getMessage() for r in caplog.records]
    assert "not sent" in line
    assert issued.token not in line


async def test_the_outbox_holds_no_token_in_clear(tmp_path: Path, clock: Clock) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'gatepass.db'}")
    await store.migrate()
    try:
        outbox = Outbox(store, KEK)
        issued = await queue_reset(outbox, clock)
        async with store.engine.connect() as conn:
            rows = [tuple(r) for r in await conn.execute(text("SELECT * FROM mail_outbox"))]
        dump = repr(rows)
        assert issued.token not in dump
        assert "alice@example.com" in dump  # kind and recipient stay readable
        [entry] = await store.list_mail()
        assert outbox.open(entry).link == (
            f"https://app.example.com/reset-password?token={issued.token}"
        )
    finally:
        await store.close()


@pytest.mark.parametrize("ending", ["stop", "cancel"])
async def test_run_sends_when_woken_and_ends_when_told(
    outbox: Outbox, smtp_sink: SmtpSink, clock: Clock, ending: str
) -> None:
    mailer = MailWorker(outbox, SmtpTransport(smtp_sink.config()), clock=clock, idle=3600)
    task = asyncio.create_task(mailer.run())
    try:
        await queue_reset(outbox, clock)
        mailer.wake()
        await smtp_sink.arrival()
    finally:
        if ending == "stop":
            mailer.stop()
            await asyncio.wait_for(task, 10)
        else:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)
    assert len(smtp_sink.received) == 1
