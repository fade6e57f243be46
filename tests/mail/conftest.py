"""A real SMTP server (aiosmtpd) on loopback for the mail tests, and a clock to drive.

``smtp_server`` listens on a free loopback port in a thread of its own; it can
be stopped (an outage) and started again on the same port. Received mails are
parsed into ``email.message.EmailMessage``.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from gatepass.mail.config import MailConfig
from gatepass.mail.outbox import Outbox
from gatepass.store import MemoryStore

NOW = 1_700_000_000.0
KEK = "k" * 43


@dataclass
class Clock:
    now: float = NOW

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


class Recorder:
    """The aiosmtpd handler: keeps what it receives; can refuse every recipient."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse_recipients = False
        self.arrived = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_recipients:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        self.arrived.set()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


USER, PASSWORD = "mailer", "s3cret pass/word"


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
    ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    recorder: Recorder = field(default_factory=Recorder)
    port: int = field(default_factory=free_port)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=check_login,
            auth_require_tls=False,  # loopback: the relay case gatepass allows in clear
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.recorder.received

    def config(self, *, credentials: bool = False) -> MailConfig:
        auth = f"{USER}:{PASSWORD.replace(' ', '%20').replace('/', '%2F')}@" if credentials else ""
        return MailConfig.from_values(
            smtp_url=f"smtp://{auth}127.0.0.1:{self.port}",
            mail_from="Gatepass <noreply@example.com>",
            app_url="https://app.example.com",
        )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox(MemoryStore(), KEK)
