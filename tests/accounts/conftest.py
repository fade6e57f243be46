"""The account flows from outside: real ``gatepass serve`` processes over HTTP, their
mail received by an ``SmtpSink`` on loopback, every link read from the mail.

``running_site(tmp, name, **env)`` starts one server (SQLite in ``tmp``, its
links pointing at its own origin) with a sink of its own and yields a ``Site``:
an HTTP client for it, and ``site.mail(to, kind)``, which waits (bounded) for
the next mail of that kind to that address that no earlier call returned.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.serving import GATEPASS, Served, free_port, serve, wait_until
from tests.smtp import SmtpSink, sent_to, text_of, token_of

__all__ = [
    "ACCEPTED",
    "INVALID_TOKEN",
    "NEW_PASSWORD",
    "PASSWORD",
    "Site",
    "claims_of",
    "kind_of",
    "running_site",
    "site_fixture",
]

PASSWORD = "correct horse battery"
NEW_PASSWORD = "purple monkey dishwasher"
ACCEPTED = {"message": "If the address belongs to an account, a mail is on its way."}
INVALID_TOKEN = {"error": "invalid_token", "message": "Invalid or expired token"}

# Each kind of mail by its subject (gatepass.mail.messages).
_SUBJECTS = {
    "verify_email": re.compile(r"Confirm your email address for .+"),
    "reset_password": re.compile(r"Reset your .+ password"),
    "password_changed": re.compile(r"Your .+ password was changed"),
    "email_change_confirm": re.compile(r"Confirm your new email address for .+"),
    "email_change_notice": re.compile(r"A new email address was requested for your .+ account"),
    "registration_attempt": re.compile(r"Someone tried to register at .+ with your address"),
    "account_deleted": re.compile(r"Your .+ account was deleted"),
}
# The page each token-carrying kind links to.
PAGES = {
    "verify_email": "/verify-email",
    "reset_password": "/reset-password",
    "email_change_confirm": "/confirm-email",
}


def kind_of(message: EmailMessage) -> str | None:
    """The gatepass mail kind a received message is, by its subject."""
    subject = str(message["Subject"])
    return next((k for k, pattern in _SUBJECTS.items() if pattern.fullmatch(subject)), None)


def claims_of(access_token: str) -> dict[str, Any]:
    """The payload of a JWS compact access token (read, not verified: the server signed it)."""
    payload = access_token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    claims: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(padded))
    return claims


@dataclass
class Site:
    served: Served
    sink: SmtpSink
    db: Path
    env: dict[str, str]
    client: httpx.Client
    taken: set[int] = field(default_factory=set)

    @property
    def url(self) -> str:
        return self.served.url

    def mail(self, to: str, kind: str, timeout: float = 10.0) -> EmailMessage:
        """The next ``kind`` mail to ``to`` not returned before; checks its parts and, for
        a kind that acts, that its one link leads to its page here with ``token=``."""
        message = self.sink.wait_for(
            lambda m: sent_to(to)(m) and kind_of(m) == kind and id(m) not in self.taken,
            timeout=timeout,
        )
        self.taken.add(id(message))
        assert message.get_body(("plain",)) is not None, "no text part"
        html = message.get_body(("html",))
        assert html is not None, "no HTML part"
        if kind in PAGES:
            token = token_of(message)
            assert f"{self.url}{PAGES[kind]}?token={token}" in text_of(message)
            assert f"token={token}" in html.get_content()
        return message

    def kinds_to(self, to: str) -> list[str | None]:
        """The kinds of every mail received for ``to`` so far, in order."""
        return [kind_of(m) for m in self.sink.messages if sent_to(to)(m)]

    def post(self, path: str, body: object, token: str | None = None) -> httpx.Response:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return self.client.post(path, json=body, headers=headers)

    def register(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.post("/auth/register", {"email": email, "password": password})

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.post("/auth/login", {"email": email, "password": password})

    def tokens(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        reply = self.login(email, password)
        assert reply.status_code == 200, reply.text
        tokens: dict[str, Any] = reply.json()
        return tokens

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self.post("/auth/refresh", {"refresh_token": refresh_token})

    def dashboard(self, access_token: str) -> int:
        headers = {"Authorization": f"Bearer {access_token}"}
        return self.client.get("/dashboard", headers=headers).status_code

    def refused_soon(self, access_token: str) -> None:
        """The access token is refused at /dashboard within 1 s (polled)."""
        wait_until(
            lambda: self.dashboard(access_token) == 401,
            "the old access token refused at /dashboard",
            timeout=1.0,
            every=0.05,
        )

    def gatepass(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A ``gatepass`` CLI command against this server's database."""
        return subprocess.run(
            [str(GATEPASS), *args],
            env={**os.environ, **self.env},
            cwd=self.db.parent,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def outbox(self) -> list[dict[str, Any]]:
        """``gatepass mail list --json``: the outbox's rows, newest first."""
        listed = self.gatepass("mail", "list", "--json", "--limit", "1000")
        assert listed.returncode == 0, listed.stdout + listed.stderr
        mails: list[dict[str, Any]] = orjson.loads(listed.stdout)["mails"]
        return mails


@contextmanager
def running_site(tmp: Path, name: str, **extra: str) -> Iterator[Site]:
    """One server (SQLite in ``tmp``) mailing to a sink of its own; both stopped after."""
    sink = SmtpSink()
    sink.start()
    port = free_port()
    db = tmp / "gatepass.db"
    env = {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "GATEPASS_COOKIE_SECURE": "false",  # plain http to 127.0.0.1
        "GATEPASS_LOG_LEVEL": "warning",
        "GATEPASS_ISSUER": f"http://127.0.0.1:{port}",
        "GATEPASS_APP_URL": f"http://127.0.0.1:{port}",
        **sink.env(),
        **extra,
    }
    try:
        with (
            serve(env, tmp, name=name, port=port) as served,
            httpx.Client(base_url=served.url, timeout=10) as client,
        ):
            yield Site(served, sink, db, env, client)
    finally:
        sink.stop()


def site_fixture(name: str, **extra: str) -> Callable[[pytest.TempPathFactory], Iterator[Site]]:
    """A module's ``site`` fixture: one ``running_site`` named ``name`` with ``extra`` env."""

    @pytest.fixture(scope="module")
    def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
        with running_site(tmp_path_factory.mktemp(name), name, **extra) as running:
            yield running

    return site
