"""``state.mailer``: mails queued by the running server, sent by its worker; the start checks."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable

import pytest

from gatepass.errors import ConfigError
from gatepass.mail.outbox import Outbox
from gatepass.secret import Secret
from gatepass.server import create_app
from gatepass.server.mailer import Mailer
from gatepass.server.state import ServerState
from gatepass.settings import Settings
from gatepass.store import MemoryStore, User, open_store
from gatepass.store.outbox import OutboxEntry
from gatepass.store.protocols import Store
from gatepass.tokens import onetime
from tests.clock import Clock
from tests.server.conftest import Server, start
from tests.smtp import MAIL_FROM, SmtpSink, sent_to, token_links, token_of

ADA = User("a" * 32, "ada@example.com", "$argon2id$h", "user", False, 0.0)
LOG_WARNING = "GATEPASS_SMTP_URL is not set"


def state_of(server: Server) -> ServerState:
    state = server.app.state.gatepass
    assert isinstance(state, ServerState)
    return state


async def outbox_when(
    store: Store, ready: Callable[[list[OutboxEntry]], bool]
) -> list[OutboxEntry]:
    """The outbox once ``ready`` accepts it, bounded. The worker is a task of the app's
    whose pass ends in a store write: there is no event to wait on but the row itself."""
    async with asyncio.timeout(10):
        while not ready(rows := await store.list_mail()):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return rows


async def sent_rows(store: Store, count: int = 1) -> list[OutboxEntry]:
    return await outbox_when(store, lambda rows: sum(r.status == "sent" for r in rows) >= count)


async def queue_verify(state: ServerState) -> str:
    """Queue ADA's verify_email mail through the server's mailer; returns its link."""
    issued = onetime.mint("verify_email", ADA, state.clock())
    mail = state.mailer.writer.verify_email(ADA.email, issued)
    await state.mailer.send(mail, now=state.clock())
    assert mail.link is not None
    return mail.link


@pytest.fixture
async def log_mode(caplog: pytest.LogCaptureFixture) -> AsyncIterator[Server]:
    caplog.set_level(logging.DEBUG, logger="gatepass.mail")
    async for server in start(Settings(), clock=Clock()):
        yield server


async def test_without_smtp_a_queued_mail_reaches_the_log_with_its_link_once(
    log_mode: Server, caplog: pytest.LogCaptureFixture
) -> None:
    state = state_of(log_mode)
    link = await queue_verify(state)
    assert link.startswith("http://127.0.0.1:8000/verify-email?token=")

    [row] = await sent_rows(log_mode.store)
    assert (row.kind, row.recipient, row.attempts) == ("verify_email", ADA.email, 1)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert [line for line in lines if link in line] == [
        f"mail verify_email to {ADA.email}: Confirm your email address for 127.0.0.1 {link}"
    ]


async def test_without_smtp_the_start_warns_once_that_mails_go_to_the_log(
    log_mode: Server, caplog: pytest.LogCaptureFixture
) -> None:
    await queue_verify(state_of(log_mode))
    await queue_verify(state_of(log_mode))
    await sent_rows(log_mode.store, 2)
    records = caplog.get_records("setup") + caplog.get_records("call")  # the start: setup
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    [warning] = [w for w in warnings if LOG_WARNING in w]
    assert "live link" in warning
    assert "GATEPASS_MAIL=off" in warning


async def test_with_mail_off_nothing_is_queued_and_no_worker_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="gatepass.mail")
    async for server in start(Settings(mail="off")):
        state = state_of(server)
        assert state.mailer.worker is None
        await queue_verify(state)
        assert await server.store.list_mail() == []
    records = [r for r in caplog.records if r.name == "gatepass.mail"]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.DEBUG, "GATEPASS_MAIL=off: verify_email mail not queued")
    ]


async def test_links_point_at_the_console_pages_of_the_issuer_unless_an_app_url_is_set() -> None:
    async for server in start(Settings(issuer="https://id.example.com", mail="off")):
        writer = state_of(server).mailer.writer
        assert writer.link("reset-password", "t") == (
            "https://id.example.com/reset-password?token=t"
        )
    settings = Settings(app_url="https://app.example.com/account/", mail="off")
    async for server in start(settings):
        writer = state_of(server).mailer.writer
        assert writer.link("forgot-password") == "https://app.example.com/account/forgot-password"


async def test_links_to_a_console_that_is_off_are_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async for _ in start(Settings(console=False)):
        pass
    assert any("GATEPASS_CONSOLE is off" in r.getMessage() for r in caplog.records)
    caplog.clear()
    async for _ in start(Settings(console=False, app_url="https://app.example.com")):
        pass
    assert not any("GATEPASS_CONSOLE is off" in r.getMessage() for r in caplog.records)


KEK = Secret(secrets.token_urlsafe(32))


async def test_production_refuses_to_start_without_smtp_or_mail_off() -> None:
    app = create_app(Settings(env="production", key_encryption_key=KEK), store=MemoryStore())
    with pytest.raises(ConfigError, match="production needs GATEPASS_SMTP_URL"):
        async with app.router.lifespan_context(app):
            pass  # pragma: no cover - the start is refused
    async for server in start(Settings(env="production", key_encryption_key=KEK, mail="off")):
        assert state_of(server).mailer.worker is None


@pytest.mark.parametrize(
    "settings",
    [
        Settings(key_encryption_key=KEK),
        Settings(jwt_secret=Secret(secrets.token_urlsafe(32))),
    ],
    ids=["signing keys", "jwt secret"],
)
async def test_the_outbox_is_sealed_under_the_signing_keys_kek(settings: Settings) -> None:
    store = open_store("memory://")
    async for server in start(settings, store=store, clock=Clock()):
        state = state_of(server)
        mailer = state.mailer
        assert isinstance(mailer, Mailer)
        issued = onetime.mint("verify_email", ADA, state.clock())
        mail = mailer.writer.verify_email(ADA.email, issued)
        # Queued without waking the worker (idle 5 s): the row is still sealed below.
        await mailer.outbox.enqueue(mail, now=state.clock())
        [row] = await store.list_mail()
        secret = settings.key_encryption_key or settings.jwt_secret
        assert secret is not None
        assert Outbox(store, secret.get()).open(row) == mail
        assert row.sealed is not None
        assert issued.token.encode() not in row.sealed


# --- through SMTP (aiosmtpd on loopback, tests/smtp.py) --------------------------------


def smtp_settings(sink: SmtpSink) -> Settings:
    return Settings(
        smtp_url=Secret(sink.url()), mail_from=MAIL_FROM, app_url="https://app.example.com"
    )


async def test_a_mail_is_delivered_by_smtp_with_a_text_part_an_html_part_and_the_link(
    smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    async for server in start(smtp_settings(smtp_sink), clock=Clock()):
        link = await queue_verify(state_of(server))
        message = await smtp_sink.arrival(sent_to(ADA.email))
        [row] = await sent_rows(server.store)
    assert message.get_content_type() == "multipart/alternative"
    assert message["From"] == MAIL_FROM
    assert message["Subject"] == "Confirm your email address for app.example.com"
    assert link.startswith("https://app.example.com/verify-email?token=")
    assert token_links(message) == [link]
    assert token_of(message) == link.rpartition("token=")[2]
    rich = message.get_body(("html",))
    assert rich is not None
    assert f'href="{link}"' in rich.get_content()
    assert (row.attempts, row.sealed) == (1, None)
    assert not any(LOG_WARNING in r.getMessage() for r in caplog.get_records("setup"))


async def test_smtp_down_at_first_the_mail_waits_and_is_delivered_when_it_is_back() -> None:
    sink = SmtpSink()  # not started: nothing listens on its port yet
    clock = Clock()
    try:
        async for server in start(smtp_settings(sink), clock=clock):
            state = state_of(server)
            await queue_verify(state)
            [waiting] = await outbox_when(server.store, lambda rows: rows[0].attempts == 1)
            assert (waiting.status, waiting.next_attempt_at) == ("pending", clock() + 30)
            assert waiting.last_error
            assert sink.received == []

            sink.start()
            clock.now += 30  # the retry is due: wake the worker instead of waiting 30 s
            assert state.mailer.worker is not None
            state.mailer.worker.wake()
            message = await sink.arrival(sent_to(ADA.email))
            [row] = await sent_rows(server.store)
        assert (row.attempts, row.sent_at) == (2, clock())
        assert token_of(message)
        assert len(sink.received) == 1
    finally:
        sink.stop()
