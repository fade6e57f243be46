"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives: ``SmtpSink``.

It listens on a free 127.0.0.1 port in a thread of its own, so a test may
block on it (``wait_for``) while a ``gatepass serve`` process sends, or await
it (``arrival``) while an in-process app's worker sends on the test's loop.
It can be stopped (an outage) and started again on the same port, and can
refuse every recipient (a permanent failure). With ``credentials=True`` its
URL carries ``USER``/``PASSWORD`` (percent-encoded), which it checks.

::

    sink = SmtpSink(); sink.start()
    env = sink.env()                       # GATEPASS_SMTP_URL, GATEPASS_MAIL_FROM
    message = sink.wait_for(sent_to("ada@example.com"))
    token = token_of(message)              # the token= of its one link
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from gatepass.mail.config import MailConfig
from tests.serving import free_port

__all__ = [
    "MAIL_FROM",
    "PASSWORD",
    "USER",
    "Received",
    "SmtpSink",
    "links",
    "sent_to",
    "smtp_sink",
    "text_of",
    "token_links",
    "token_of",
]

USER, PASSWORD = "mailer", "s3cret pass/word"
MAIL_FROM = "Gatepass <noreply@example.com>"
_LINK = re.compile(r"https?://[^\s<>\"']+")


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
        self.arrived = threading.Condition()

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
        with self.arrived:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 OK"


def _check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
    ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpSink:
    recorder: Recorder = field(default_factory=Recorder)
    port: int = field(default_factory=free_port)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_check_login,
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

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.recorder.received]

    def url(self, *, credentials: bool = False) -> str:
        """``smtp://[user:pass@]127.0.0.1:<port>`` (plain: loopback)."""
        auth = f"{USER}:{PASSWORD.replace(' ', '%20').replace('/', '%2F')}@" if credentials else ""
        return f"smtp://{auth}127.0.0.1:{self.port}"

    def env(self, *, credentials: bool = False) -> dict[str, str]:
        """What a ``gatepass serve`` needs to send here."""
        return {
            "GATEPASS_SMTP_URL": self.url(credentials=credentials),
            "GATEPASS_MAIL_FROM": MAIL_FROM,
        }

    def config(
        self, *, credentials: bool = False, app_url: str = "https://app.example.com"
    ) -> MailConfig:
        return MailConfig.from_values(
            smtp_url=self.url(credentials=credentials), mail_from=MAIL_FROM, app_url=app_url
        )

    def wait_for(
        self,
        predicate: Callable[[EmailMessage], bool] = lambda message: True,
        timeout: float = 10.0,
    ) -> EmailMessage:
        """The first message received (now or within ``timeout`` s) that ``predicate``
        accepts; fails the test when none arrives. Blocks this thread."""
        deadline = time.monotonic() + timeout
        with self.recorder.arrived:
            while True:
                for got in self.recorder.received:
                    if predicate(got.message):
                        return got.message
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"no matching mail within {timeout:.0f} s")
                self.recorder.arrived.wait(left)

    async def arrival(
        self,
        predicate: Callable[[EmailMessage], bool] = lambda message: True,
        within: float = 10.0,
    ) -> EmailMessage:
        """``wait_for`` from a coroutine, leaving the event loop free meanwhile."""
        return await asyncio.to_thread(self.wait_for, predicate, within)


def sent_to(address: str) -> Callable[[EmailMessage], bool]:
    """A ``wait_for`` predicate: the message is addressed to ``address``."""
    return lambda message: str(message["To"]).lower() == address.lower()


def text_of(message: EmailMessage) -> str:
    """The text/plain part's content."""
    part = message.get_body(("plain",))
    assert part is not None, "the mail has no text part"
    content: str = part.get_content()
    return content


def links(message: EmailMessage) -> list[str]:
    """Every http(s) link in the text part, in order."""
    return _LINK.findall(text_of(message))


def token_links(message: EmailMessage) -> list[str]:
    """The links of the text part that carry ``token=``."""
    return [link for link in links(message) if "token" in parse_qs(urlsplit(link).query)]


def token_of(message: EmailMessage) -> str:
    """The ``token=`` of the message's one token link (fails unless exactly one)."""
    found = {parse_qs(urlsplit(link).query)["token"][0] for link in token_links(message)}
    assert len(found) == 1, f"expected one token link, found {len(found)}"
    return found.pop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A started ``SmtpSink`` (every test may ask for it: ``tests/conftest.py`` loads this)."""
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
