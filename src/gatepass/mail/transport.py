"""How a mail leaves: SMTP (``aiosmtplib``), the log, or nowhere.

``transport_for(config)`` picks one from ``MailConfig.mode``:

- ``smtp``: ``SmtpTransport``, one connection per mail, with STARTTLS
  required (``starttls``: a server that does not offer it is refused before
  any credential is sent), implicit TLS (``tls``), or plain to a loopback
  relay (``none``); certificates are verified against the system's CAs.
- ``log``: ``LogTransport``, one log line per mail with its link (the
  zero-config start), and a warning when it is picked;
- ``off``: ``DroppingTransport``, one log line per mail without its link.

A failure is a ``DeliveryError``: ``permanent`` when the server refused the
recipient or the message itself (5xx), else temporary (down, timeout, TLS,
authentication), to be retried with backoff.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

import aiosmtplib

from gatepass.mail.config import MailConfig
from gatepass.mail.messages import Mail

__all__ = [
    "DeliveryError",
    "DroppingTransport",
    "LogTransport",
    "SmtpTransport",
    "Transport",
    "email_message",
    "transport_for",
]

log = logging.getLogger("gatepass.mail")
_MAX_ERROR = 300


class DeliveryError(Exception):
    """A mail was not delivered; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.message = message[:_MAX_ERROR]
        self.permanent = permanent
        super().__init__(self.message)


class Transport(Protocol):
    async def send(self, mail: Mail, *, now: float) -> None:
        """Deliver ``mail`` or raise ``DeliveryError``."""
        ...


def email_message(mail: Mail, sender: str, *, now: float) -> EmailMessage:
    """``mail`` as a MIME message: multipart/alternative, text first, then HTML."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class SmtpTransport:
    def __init__(self, config: MailConfig) -> None:
        if config.mode != "smtp" or config.host is None:
            raise ValueError("SmtpTransport needs an SMTP configuration")
        self.config = config

    async def send(self, mail: Mail, *, now: float) -> None:
        c = self.config
        try:
            await aiosmtplib.send(
                email_message(mail, c.sender, now=now),
                hostname=c.host,
                port=c.port,
                username=c.username,
                password=c.password,
                use_tls=c.security == "tls",
                start_tls=c.security == "starttls",
                timeout=c.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            permanent = all(r.code >= 500 for r in error.recipients)
            raise DeliveryError(f"recipient refused: {error}", permanent=permanent) from None
        except aiosmtplib.SMTPDataError as error:
            raise DeliveryError(f"message refused: {error}", permanent=error.code >= 500) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise DeliveryError(_describe(error)) from None


def _describe(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())  # one line


class LogTransport:
    """No SMTP configured: each mail is one log line, its link included."""

    async def send(self, mail: Mail, *, now: float) -> None:
        log.info(
            "mail %s to %s: %s%s",
            mail.kind,
            _one_line(mail.to),
            _one_line(mail.subject),
            "" if mail.link is None else f" {mail.link}",
        )


class DroppingTransport:
    """``GATEPASS_MAIL=off``: nothing is sent; one log line says what was not."""

    async def send(self, mail: Mail, *, now: float) -> None:
        log.info("mail off: %s to %s not sent", mail.kind, _one_line(mail.to))


def _one_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def transport_for(config: MailConfig) -> Transport:
    if config.mode == "smtp":
        return SmtpTransport(config)
    if config.mode == "off":
        return DroppingTransport()
    log.warning(
        "GATEPASS_SMTP_URL is not set: mails go to this log, one line each with its live link "
        "(which holds a one-time token); set it, or GATEPASS_MAIL=off, before real users come"
    )
    return LogTransport()
