"""The docs pages and the prefixed cookies in a real browser against a real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.serving import Served, serve
from tests.web.conftest import Tab, open_tab

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
# ReDoc's sidebar footer always shows Redocly's logo from their CDN: the CSP
# blocks it (what it is there for), the image hides itself, chromium logs it.
REDOC_LOGO_BLOCKED = (
    "Loading the image 'https://cdn.redoc.ly/redoc/logo-mini.svg' violates the following "
    "Content Security Policy directive"
)


@pytest.mark.parametrize(("page", "title"), [("/docs", ".swagger-ui .title"), ("/redoc", "h1")])
def test_the_docs_render_under_their_csp(tab: Tab, page: str, title: str) -> None:
    requested: list[str] = []
    # Requests that got an answer (one the CSP blocked never does).
    tab.page.on("requestfinished", lambda request: requested.append(request.url))
    tab.page.goto(tab.base + page)
    expect(tab.page.locator(title).first).to_contain_text("gatepass")
    expect(tab.page.get_by_text("/auth/login").first).to_be_visible()
    # A CSP violation or a script error would show here.
    assert tab.console.exceptions == []
    tab.console.errors = [e for e in tab.console.errors if not e.startswith(REDOC_LOGO_BLOCKED)]
    assert tab.console.failed_statuses() == []
    assert all(url.startswith(tab.base) or url.startswith("blob:") for url in requested), requested


@pytest.fixture(scope="module")
def secure_cookies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The default GATEPASS_COOKIE_SECURE=true, spoken to over http://localhost."""
    tmp = tmp_path_factory.mktemp("secure-cookies")
    env = {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'gatepass.db'}",
        "GATEPASS_LOG_LEVEL": "warning",
    }
    with serve(env, tmp, name="secure") as running:
        yield running


def test_prefixed_cookies_work_on_localhost(browser: Browser, secure_cookies: Served) -> None:
    base = secure_cookies.url.replace("127.0.0.1", "localhost")
    with open_tab(browser, base) as tab:
        tab.page.goto(base + "/")
        expect(tab.page.locator("#status")).to_have_text("Signed out.")
        tab.page.get_by_label("Email").fill("lin@example.com")
        tab.page.get_by_label("Password").fill(PASSWORD)
        tab.page.get_by_role("button", name="Register").click()
        expect(tab.page.locator("#auth-info")).to_contain_text("Account created")
        tab.page.get_by_role("button", name="Log in", exact=True).click()
        expect(tab.page.locator("#who")).to_have_text("lin@example.com")
        names = {c["name"] for c in tab.page.context.cookies()}
        assert names == {
            "__Host-gatepass_access",
            "__Secure-gatepass_refresh",
            "__Host-gatepass_csrf",
        }
        # A state change by cookie: the client found the __Host- CSRF cookie.
        refreshed = tab.page.evaluate(
            """async () => {
                const csrf = document.cookie.match(/__Host-gatepass_csrf=([^;]+)/)[1];
                const r = await fetch("/auth/refresh", {
                    method: "POST", headers: {"X-CSRF-Token": decodeURIComponent(csrf)}});
                return r.status;
            }"""
        )
        assert refreshed == 200
