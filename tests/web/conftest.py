"""Browser tests: Debian's chromium driven by Playwright against a real ``gatepass serve``.

``mailing`` is a server that sends its mail to ``smtp``, an aiosmtpd server on
loopback; ``mailed_link`` waits for a mail and returns its link, which a test
then opens in the browser as the person would.

Playwright's own browser download does not work here, so the browser is
``/usr/bin/chromium`` (``scripts/test`` installs it when missing). Without it
the browser tests skip, except under ``CI=true`` where a missing chromium
fails the run. Every wait is bounded by the context's default timeouts.
Screenshots go to ``test-artifacts/`` at the repository root (git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.services import missing
from tests.serving import Served, free_port, serve, wait_until
from tests.smtp import SmtpSink, links

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_MS = 10_000
PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
# What chromium logs for a fetch the server answered with an error status.
_RESOURCE_ERROR = re.compile(
    r"Failed to load resource: the server responded with a status of (\d+)"
)


def server_env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'gatepass.db'}",
        "GATEPASS_COOKIE_SECURE": "false",  # the tests speak plain http to 127.0.0.1
        "GATEPASS_REFRESH_GRACE": "0",  # any replay of a spent token is reuse
        "GATEPASS_LOG_LEVEL": "warning",
        **extra,
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for a module: 2-minute access tokens, no grace window."""
    tmp = tmp_path_factory.mktemp("console")
    with serve(server_env(tmp, GATEPASS_ACCESS_TTL="120"), tmp, name="console") as running:
        yield running


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server whose access tokens live 5 s, so the silent refresh comes at 4 s."""
    tmp = tmp_path_factory.mktemp("console-short")
    with serve(server_env(tmp, GATEPASS_ACCESS_TTL="5"), tmp, name="short") as running:
        yield running


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    """A loopback SMTP server keeping every mail it is sent."""
    server = SmtpSink()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink) -> Iterator[Served]:
    """A server that mails to ``smtp``, its links pointing at itself."""
    tmp = tmp_path_factory.mktemp("mailing")
    port = free_port()
    env = server_env(
        tmp,
        GATEPASS_ACCESS_TTL="120",
        GATEPASS_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        GATEPASS_MAIL_FROM="Gatepass <noreply@example.com>",
        GATEPASS_APP_URL=f"http://127.0.0.1:{port}",
    )
    with serve(env, tmp, name="mailing", port=port) as running:
        yield running


def mailed_link(smtp: SmtpSink, to: str, page: str, *, since: int) -> str:
    """The link to ``/<page>`` in the first mail to ``to`` after the first ``since``
    mails; fails the test when none comes within 10 s."""
    found: list[str] = []

    def arrived() -> bool:
        for got in smtp.received[since:]:
            if to in got.recipients:
                found.extend(u for u in links(got.message) if f"/{page}" in u)
        return bool(found)

    wait_until(arrived, f"a mail to {to} linking to /{page}")
    return found[0]


# Module scope, not session: sync Playwright runs its own event loop in this
# thread while it is started, which pytest-asyncio's tests must not meet.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"{CHROMIUM} is missing")
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
    )
    yield launched
    launched.close()


@dataclass
class Console:
    """What the page printed: console errors and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)

    def on_message(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(message.text)

    def failed_statuses(self) -> list[int]:
        """The HTTP statuses of failed fetches; any other console error fails the test."""
        statuses = []
        for text in self.errors:
            match = _RESOURCE_ERROR.match(text)
            assert match is not None, f"unexpected console message: {text}"
            statuses.append(int(match.group(1)))
        return statuses


@dataclass
class Tab:
    page: Page
    console: Console
    base: str

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


@contextmanager
def open_tab(browser: Browser, base: str, viewport: ViewportSize = DESKTOP) -> Iterator[Tab]:
    """A fresh browser context (its own cookie jar) with one page watched for errors."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    page = context.new_page()
    console = Console()
    page.on("console", console.on_message)
    page.on("pageerror", lambda error: console.exceptions.append(str(error)))
    try:
        yield Tab(page, console, base)
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, served: Served) -> Iterator[Tab]:
    with open_tab(browser, served.url) as opened:
        yield opened
