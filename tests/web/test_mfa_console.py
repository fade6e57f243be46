"""Two-step login in the console, in a real browser against a real ``gatepass serve``.

pyotp is the authenticator app: it makes codes from the key the set-up screen
shows (the secret ``POST /auth/mfa/totp/setup`` returned).
"""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.web.conftest import Tab
from tests.web.steps import fill, log_entry, register_and_log_in

pytestmark = pytest.mark.browser


def test_enrol_log_out_then_log_in_with_password_and_code(tab: Tab) -> None:
    email = "totp@example.com"
    page = register_and_log_in(tab, email)
    expect(page.locator("#totp-state")).to_have_text("Off: your password alone logs you in.")

    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("#totp-secret")
    expect(secret).not_to_be_empty()
    app = pyotp.TOTP(secret.text_content() or "")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml;")
    # The CSP lets the image load: it has a size of its own.
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 0
    page.get_by_label("Code from the app").fill(app.at(time.time()))
    page.get_by_role("button", name="Turn on two-step login").click()
    expect(page.locator("#totp-result")).to_contain_text("Two-step login is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    expect(page.locator("#totp-state")).to_contain_text("10 recovery codes left")
    tab.screenshot("mfa-enrolled")

    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#status")).to_have_text("Signed out.")
    fill(page, email)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(log_entry(page, "login")).to_contain_text("the second step needs a code")
    code_box = page.get_by_label("Code from your app, or a recovery code")
    expect(code_box).to_be_focused()
    expect(page.locator("#session-panel")).to_be_hidden()
    code_box.fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#mfa-error")).to_have_text("Invalid code")
    # The confirming code's step is spent: the next step's code (one step ahead).
    code_box.fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#who")).to_have_text(email)
    expect(log_entry(page, "login")).to_contain_text("second step (code) → 200")
    expect(page.locator("#totp-state")).to_contain_text("On: each login asks for a code")
    assert tab.console.failed_statuses() == [401]  # the wrong code
    assert tab.console.exceptions == []
