"""The web console in a real browser against a real server: the whole demonstration."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from gatepass.jose import KeySet
from gatepass.jose.jwt import decode
from tests.serving import Served
from tests.web.conftest import PHONE, Tab, open_tab
from tests.web.steps import PASSWORD, fill, log_entry, open_console, register_and_log_in

pytestmark = pytest.mark.browser

ID = re.compile(r"^[0-9a-f]{32}$")
# The jwt.io-like colours of style.css (--header, --payload, --signature).
COLOURS = {
    "#token-header": "rgb(200, 0, 63)",
    "#token-payload": "rgb(142, 36, 170)",
    "#token-signature": "rgb(3, 105, 161)",
}


def _shown_token(page: Page) -> str:
    parts = [page.locator(selector).text_content() or "" for selector in COLOURS]
    assert all(parts), parts
    return ".".join(parts)


def _verify(base: str, token: str) -> dict[str, Any]:
    """The token the page shows is the server's real, verifiable access token."""
    discovery = httpx.get(f"{base}/.well-known/openid-configuration", timeout=5).json()
    jwks = httpx.get(discovery["jwks_uri"], timeout=5).json()
    return decode(
        token,
        KeySet.import_jwks(jwks),
        algorithms=[k["alg"] for k in jwks["keys"]],
        audience="gatepass",
        issuer=discovery["issuer"],
    )


def _refresh_now(page: Page) -> tuple[str, str]:
    """Press "Refresh now" and return the rotation the page shows (old id, new id)."""
    rotation = page.locator("#rotation")
    before = rotation.get_attribute("data-new")
    page.get_by_role("button", name="Refresh now").click()
    if before:
        expect(rotation).not_to_have_attribute("data-new", before)
    expect(rotation).to_have_attribute("data-new", ID)
    old, new = rotation.get_attribute("data-old") or "", rotation.get_attribute("data-new") or ""
    assert ID.match(old)
    assert old != new
    return old, new


def _no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"horizontal scroll: content {widths[0]} > view {widths[1]}"


def test_the_whole_demonstration(tab: Tab) -> None:
    email = "ada@example.com"
    page = register_and_log_in(tab, email)
    tab.screenshot("console-1-logged-in")

    # The three parts, coloured, decoded, with the live countdown.
    for selector, colour in COLOURS.items():
        assert page.locator(selector).evaluate("e => getComputedStyle(e).color") == colour
    token = _shown_token(page)
    claims = _verify(tab.base, token)
    assert claims["email"] == email
    expect(page.locator("#payload-json")).to_contain_text(f'"email": "{email}"')
    expect(page.locator("#header-json")).to_contain_text('"typ": "at+jwt"')
    expect(page.locator("#signature-info")).to_contain_text("signature")
    for part in ("Header", "Payload", "Signature"):
        expect(page.get_by_role("heading", name=part, exact=True)).to_be_visible()
    countdown = page.locator("#countdown")
    expect(countdown).to_have_text(re.compile(r"^[12]:\d\d$"))
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first or "", timeout=3_000)  # it is live
    sessions = page.locator("#sessions li")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("This session")

    # Call the protected API.
    page.get_by_role("button", name="Call the protected API").click()
    expect(page.locator("#api-result")).to_contain_text("HTTP 200")
    expect(page.locator("#api-result")).to_contain_text(f'"message": "Welcome {email}"')
    expect(log_entry(page, "call")).to_contain_text("GET /dashboard → 200")

    # Force a refresh: the rotation old id → new id, and a new verifiable token.
    expect(page.get_by_role("button", name="Replay an old refresh token")).to_be_disabled()
    old, new = _refresh_now(page)
    expect(page.locator("#rotation")).to_contain_text(f"{old}→{new}")
    expect(log_entry(page, "refresh")).to_contain_text(f"rotation {old[:8]}… → {new[:8]}…")
    refreshed = _shown_token(page)
    assert refreshed != token
    assert _verify(tab.base, refreshed)["sid"] == claims["sid"]
    tab.screenshot("console-2-rotated")
    assert tab.console.errors == []
    assert tab.console.exceptions == []

    # Replay the spent token: reuse detected, the session dies, the page logs out.
    page.get_by_role("button", name="Replay an old refresh token").click()
    expect(log_entry(page, "replay")).to_contain_text("reuse detected: the server revoked")
    expect(log_entry(page, "call")).to_contain_text("GET /dashboard → 401")
    expect(page.locator("#status")).to_have_text(
        "Signed out. The server ended this session. Log in again."
    )
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    tab.screenshot("console-3-replayed")
    # The two refusals are the demonstration: /dashboard, then the refresh it tried.
    assert tab.console.failed_statuses() == [401, 401]
    unauthorised = httpx.get(
        f"{tab.base}/dashboard", headers={"Authorization": f"Bearer {refreshed}"}, timeout=5
    )
    assert unauthorised.status_code == 401

    # Log in again (a new session; the revoked one is gone from the list), then log out.
    fill(page, email)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#who")).to_have_text(email)
    expect(sessions).to_have_count(1)
    expect(page.locator("#rotation")).to_have_text("No refresh yet.")
    page.get_by_role("button", name="Log out").click()
    expect(log_entry(page, "logout")).to_contain_text("logout → 204")
    expect(page.locator("#status")).to_have_text("Signed out.")
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert not names & {"gatepass_access", "gatepass_refresh", "gatepass_csrf"}, names
    tab.screenshot("console-4-logged-out")
    assert tab.console.failed_statuses() == [401, 401]
    assert tab.console.exceptions == []


def test_keyboard_only(tab: Tab) -> None:
    email = "grace@example.com"
    creds = {"email": email, "password": PASSWORD}
    assert httpx.post(f"{tab.base}/auth/register", json=creds, timeout=5).status_code == 201
    page = open_console(tab)
    focused = "() => document.activeElement.id || document.activeElement.className"

    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "email"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#who")).to_have_text(email)

    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "call-api"
    page.keyboard.press("Enter")
    expect(page.locator("#api-result")).to_contain_text("HTTP 200")
    assert page.evaluate(focused) == "call-api", "focus stays on the pressed button"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "refresh-now"
    page.keyboard.press("Space")
    expect(page.locator("#rotation")).to_have_attribute("data-new", ID)
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "replay"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "logout"
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Signed out.")
    assert page.evaluate(focused) == "email", "after logout the form has the focus"
    tab.screenshot("console-keyboard")
    assert tab.console.errors == []
    assert tab.console.exceptions == []


def test_errors_show_the_servers_message(tab: Tab) -> None:
    page = open_console(tab)
    fill(page, "nobody@example.com", "wrong password")
    page.get_by_role("button", name="Log in", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Invalid credentials")
    expect(log_entry(page, "login")).to_contain_text("login → 401 invalid_credentials")

    fill(page, "linus@example.com")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#auth-info")).to_contain_text("Account created")
    page.get_by_role("button", name="Register").click()
    expect(alert).to_have_text("A user with this email already exists")
    tab.screenshot("console-errors")
    assert tab.console.failed_statuses() == [401, 409]
    assert tab.console.exceptions == []


def test_revoking_another_session_logs_that_tab_out(browser: Browser, served: Served) -> None:
    email = "margaret@example.com"
    with open_tab(browser, served.url) as first, open_tab(browser, served.url) as second:
        page = register_and_log_in(first, email)
        other = open_console(second)
        fill(other, email)
        other.get_by_role("button", name="Log in", exact=True).click()
        expect(other.locator("#who")).to_have_text(email)

        page.get_by_role("button", name="Reload sessions").click()
        rows = page.locator("#sessions li")
        expect(rows).to_have_count(2)
        theirs = rows.filter(has_not_text="This session")
        theirs.get_by_role("button", name=re.compile(r"^Revoke the session started")).click()
        expect(log_entry(page, "revoke")).to_contain_text("→ 204")
        expect(rows).to_have_count(1)
        expect(page.locator("#who")).to_have_text(email)  # this tab is still signed in

        other.get_by_role("button", name="Call the protected API").click()
        expect(other.locator("#status")).to_have_text(
            "Signed out. The server ended this session. Log in again."
        )
        assert second.console.failed_statuses() == [401, 401]
        assert first.console.errors == []


def test_phone_width(browser: Browser, served: Served) -> None:
    with open_tab(browser, served.url, PHONE) as tab:
        page = open_console(tab)
        _no_horizontal_scroll(page)
        tab.screenshot("console-phone-signed-out")
        register_and_log_in(tab, "hedy@example.com")
        page.get_by_role("button", name="Call the protected API").click()
        expect(page.locator("#api-result")).to_contain_text("HTTP 200")
        _refresh_now(page)
        _no_horizontal_scroll(page)
        for name in ("Call the protected API", "Refresh now", "Log out"):
            box = page.get_by_role("button", name=name).bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
            assert box["height"] >= 40, "a comfortable touch target"
        tab.screenshot("console-phone-signed-in")
        assert tab.console.errors == []
        assert tab.console.exceptions == []


def test_silent_refresh_before_expiry(browser: Browser, short_lived: Served) -> None:
    with open_tab(browser, short_lived.url) as tab:
        page = register_and_log_in(tab, "katherine@example.com")
        token = _shown_token(page)
        expect(page.locator("#countdown")).to_have_text(re.compile(r"^0:0[0-5]$"))
        # 5 s tokens: the console refreshes at 80%, i.e. after 4 s, by itself.
        silent = page.locator("#flow-log li[data-step='refresh']", has_text="silent, before expiry")
        expect(silent).to_have_count(1, timeout=8_000)
        expect(page.locator("#rotation")).to_have_attribute("data-new", ID)
        assert _shown_token(page) != token
        page.get_by_role("button", name="Call the protected API").click()
        expect(page.locator("#api-result")).to_contain_text("HTTP 200")
        assert tab.console.errors == []
        assert tab.console.exceptions == []
