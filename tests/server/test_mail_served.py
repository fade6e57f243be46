"""Mail from a real ``gatepass serve``: its worker sends what the outbox holds through SMTP,
and a mail that met an SMTP outage waits in ``gatepass mail list`` until it is sent.

No route queues mail yet, so the test queues it as the server would (an ``Outbox``
on the same SQLite file, under the same key-encryption key); the server's worker
finds it at its next pass (every 5 s, or at once when a request of its own wakes it).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gatepass.mail.messages import MailWriter
from gatepass.mail.outbox import Outbox
from gatepass.store import User
from gatepass.store.sql.store import SqlStore
from gatepass.tokens import onetime
from tests.serving import GATEPASS, serve, wait_until
from tests.smtp import SmtpSink, sent_to, text_of, token_of

KEK = secrets.token_urlsafe(32)
ADA = User("a" * 32, "ada@example.com", "$argon2id$h", "user", False, 0.0)
PASS_S = 20.0  # a worker pass every 5 s, plus the server's start


def queue_reset(database: Path, app_url: str) -> str:
    """Queue a reset_password mail to ADA in the server's outbox; returns its token."""

    async def work() -> str:
        store = SqlStore(f"sqlite:///{database}")
        try:
            issued = onetime.mint("reset_password", ADA, 0.0)
            mail = MailWriter(app_url).reset_password(ADA.email, issued)
            await Outbox(store, KEK).enqueue(mail, now=0.0)
            return issued.token
        finally:
            await store.close()

    return asyncio.run(work())


def gatepass(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(GATEPASS), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def mail_list(env: dict[str, str]) -> list[dict[str, Any]]:
    mails: list[dict[str, Any]] = json.loads(gatepass(env, "mail", "list", "--json"))["mails"]
    return mails


def rows(database: Path) -> list[Any]:
    async def work() -> list[Any]:
        store = SqlStore(f"sqlite:///{database}")
        try:
            return await store.list_mail()
        finally:
            await store.close()

    return asyncio.run(work())


def test_the_served_worker_delivers_after_an_outage(tmp_path: Path) -> None:
    sink = SmtpSink()  # down at first
    database = tmp_path / "gatepass.db"
    env = {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "GATEPASS_KEY_ENCRYPTION_KEY": KEK,
        **sink.env(credentials=True),
    }
    try:
        with serve(env, tmp_path) as served:
            # The console's pages, at the issuer gatepass serve sets for itself.
            token = queue_reset(database, served.url)
            # The first attempt met no SMTP server: the mail waits, and `mail list` says why.
            _until(lambda: [m for m in rows(database) if m.last_error], PASS_S)
            [mail] = mail_list(env)
            assert (mail["status"], mail["to"], mail["kind"], mail["attempts"]) == (
                "pending",
                ADA.email,
                "reset_password",
                1,
            )
            assert "Connection refused" in mail["last_error"]

            sink.start()
            assert "1 mail queued again" in gatepass(env, "mail", "retry", "--all")
            message = sink.wait_for(sent_to(ADA.email), timeout=PASS_S)
            assert token_of(message) == token
            assert f"{served.url}/reset-password?token={token}" in text_of(message)
            assert message.get_body(("html",)) is not None
            _until(lambda: [m for m in rows(database) if m.status == "sent"], 10)
            [sent] = mail_list(env)
            assert sent["attempts"] == 2
            assert "SMTP_URL is not set" not in served.log()
    finally:
        sink.stop()


def _until(found: Callable[[], list[Any]], timeout: float) -> None:
    wait_until(lambda: found(), "the mail's state", timeout=timeout, every=0.5)
