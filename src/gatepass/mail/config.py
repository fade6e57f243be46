"""Where mail goes: ``GATEPASS_SMTP_URL``, ``_MAIL_FROM``, ``_APP_URL`` and ``_MAIL``.

- ``smtp://user:pass@host:port``: STARTTLS is required (a server that does
  not offer it is refused, the credentials never travel in clear), except to
  a loopback host (a local relay), where the connection stays plain. Port 587
  unless given.
- ``smtps://user:pass@host:port``: TLS from the first byte. Port 465 unless
  given.
- No URL: mails are written to the log, one line each, links included (the
  zero-config start); ``check_production`` refuses that in production.
- ``GATEPASS_MAIL=off``: no mail at all, said by name (a deployment that
  sends none, e.g. behind an identity provider); an SMTP URL with it is a
  contradiction and refused.

User name and password are percent-decoded; the password never appears in a
``repr`` or an error. Pure: ``MailConfig.from_values`` parses the raw values,
``gatepass.settings`` passes them in.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Literal
from urllib.parse import unquote, urlsplit

from gatepass.errors import ConfigError

__all__ = ["DEFAULT_MAIL_FROM", "MailConfig", "MailMode", "SmtpSecurity", "is_loopback"]

MailMode = Literal["smtp", "log", "off"]
SmtpSecurity = Literal["starttls", "tls", "none"]

DEFAULT_MAIL_FROM = "gatepass@localhost"
_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
_MAIL_SWITCH = {"": True, "on": True, "off": False}


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class MailConfig:
    mode: MailMode
    sender: str = DEFAULT_MAIL_FROM
    app_url: str | None = None
    host: str | None = None
    port: int | None = None
    security: SmtpSecurity = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @classmethod
    def from_values(
        cls,
        *,
        smtp_url: str | None = None,
        mail_from: str | None = None,
        app_url: str | None = None,
        mail: str | None = None,
    ) -> MailConfig:
        """Parse the raw environment values (None or "" for an unset one)."""
        switch = (mail or "").strip().lower()
        if switch not in _MAIL_SWITCH:
            raise ConfigError("GATEPASS_MAIL must be on or off")
        sender = _sender(mail_from) if mail_from else DEFAULT_MAIL_FROM
        base = _app_url(app_url) if app_url else None
        if not _MAIL_SWITCH[switch]:
            if smtp_url:
                raise ConfigError("GATEPASS_MAIL=off and GATEPASS_SMTP_URL are both set")
            return cls("off", sender, base)
        if not smtp_url:
            return cls("log", sender, base)
        if not mail_from:
            raise ConfigError("GATEPASS_SMTP_URL needs GATEPASS_MAIL_FROM (the From address)")
        return _smtp(smtp_url, sender, base)

    def check_production(self) -> None:
        """Production sends real mail or says by name that it sends none."""
        if self.mode == "log":
            raise ConfigError(
                "production needs GATEPASS_SMTP_URL (or GATEPASS_MAIL=off to send no mail)"
            )


def _smtp(url: str, sender: str, app_url: str | None) -> MailConfig:
    bad = "GATEPASS_SMTP_URL must look like smtp://user:pass@host:port or smtps://..."
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is not a number or out of range
        raise ConfigError(f"{bad} (the port is not 1-65535)") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ConfigError(bad)
    host = parts.hostname
    if not host:
        raise ConfigError(f"{bad} (no host)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"{bad} (no path, query or fragment)")
    if port == 0:
        raise ConfigError(f"{bad} (the port is not 1-65535)")
    username = None if parts.username is None else unquote(parts.username)
    password = None if parts.password is None else unquote(parts.password)
    if (username is None) != (password is None) or username == "":
        raise ConfigError("GATEPASS_SMTP_URL: give both a user name and a password, or neither")
    security: SmtpSecurity = "none" if is_loopback(host) else "starttls"
    if scheme == "smtps":
        security = "tls"
    return MailConfig(
        "smtp",
        sender,
        app_url,
        host=host,
        port=port or _DEFAULT_PORTS[scheme],
        security=security,
        username=username,
        password=password,
    )


def _sender(value: str) -> str:
    value = value.strip()
    _, address = parseaddr(value)
    if any(c in value for c in "\r\n\x00") or "@" not in address or address != address.strip():
        raise ConfigError("GATEPASS_MAIL_FROM must be an address, e.g. gatepass@example.com")
    return value


def _app_url(value: str) -> str:
    bad = "GATEPASS_APP_URL must be an http(s) URL with no query or fragment"
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises for a bad port
    except ValueError:
        raise ConfigError(bad) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(bad)
    if parts.query or parts.fragment or parts.username is not None:
        raise ConfigError(bad)
    return value.strip().rstrip("/")
