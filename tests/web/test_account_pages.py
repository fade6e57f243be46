"""The account pages and screens in a real browser against a real server that mails.

Each mail goes to a loopback SMTP server (``smtp``); the test opens the link
the mail carries, as the person would, on the pages the console serves for
it (``account.html``): /forgot-password, /reset-password, /verify-email,
/confirm-email. The signed-in screens live in the console itself.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.serving import Served, wait_until
from tests.smtp import SmtpSink
from tests.web.conftest import PHONE, Tab, mailed_link, open_tab
from tests.web.steps import PASSWORD, fill, log_entry, open_console, register_and_log_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "purple monkey dishwasher"
INVALID_TOKEN = "Invalid or expired token"


@pytest.fixture
def tab(browser: Browser, mailing: Served) -> Iterator[Tab]:
    with open_tab(browser, mailing.url) as opened:
        yield opened


def _register(base: str, email: str, password: str = PASSWORD) -> None:
    reply = httpx.post(f"{base}/auth/register", json={"email": email, "password": password})
    assert reply.status_code == 201, reply.text


def _bearer_login(base: str, email: str, password: str) -> httpx.Response:
    return httpx.post(f"{base}/auth/login", json={"email": email, "password": password}, timeout=5)


def _dashboard(base: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{base}/dashboard", headers=headers, timeout=5).status_code


def _open_link(tab: Tab, link: str, path: str) -> Page:
    """Open a mailed link; the page takes the token out of the address bar at once."""
    assert link.startswith(f"{tab.base}{path}?token="), link
    tab.page.goto(link)
    expect(tab.page).to_have_url(tab.base + path)
    assert "token" not in tab.page.evaluate("() => location.href")
    return tab.page


def _no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"horizontal scroll: content {widths[0]} > view {widths[1]}"


def test_forgot_mail_reset_then_log_in_with_the_new_password(tab: Tab, smtp: SmtpSink) -> None:
    """The issue's test: forgot → mail → reset page → log in with the new password; the
    access token from before the reset is refused at /dashboard within 1 s."""
    email = "ada@example.com"
    _register(tab.base, email)
    before = _bearer_login(tab.base, email, PASSWORD)
    assert before.status_code == 200
    old_token = before.json()["access_token"]
    assert _dashboard(tab.base, old_token) == 200

    page = open_console(tab)
    page.get_by_role("link", name="Forgot password?").click()
    expect(page).to_have_url(tab.base + "/forgot-password")
    since = len(smtp.received)
    page.get_by_label("Your email address", exact=True).fill(email)
    page.get_by_role("button", name="Mail me a reset link").click()
    expect(page.locator("#forgot-result")).not_to_be_empty()
    tab.screenshot("account-forgot-sent")

    link = mailed_link(smtp, email, "reset-password", since=since)
    page = _open_link(tab, link, "/reset-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("The new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#reset-result")).to_contain_text("Your password has been changed")
    reset_at = time.time()
    wait_until(
        lambda: _dashboard(tab.base, old_token) == 401,
        "the old access token refused at /dashboard",
        timeout=1.0,
        every=0.05,
    )
    expect(page.get_by_role("button", name="Set the new password")).to_be_hidden()
    tab.screenshot("account-reset-done")
    # The reset refuses every token of the user issued before the end of its second
    # (iat is whole seconds: gatepass.revocation.list), a login in that second too. A
    # person takes longer than that; the test waits it out (the server shares its clock).
    wait_until(lambda: time.time() >= math.ceil(reset_at), "the reset's second to end", 2.0)

    page.get_by_role("link", name="Go to the console and log in").click()
    expect(page.locator("#status")).to_have_text("Signed out.")
    fill(page, email, PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#auth-error")).to_have_text("Invalid credentials")
    fill(page, email, NEW_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#who")).to_have_text(email)
    page.get_by_role("button", name="Call the protected API").click()
    expect(page.locator("#api-result")).to_contain_text("HTTP 200")
    assert tab.console.failed_statuses() == [401]  # the old password
    assert tab.console.exceptions == []

    # The link works once.
    page = _open_link(tab, link, "/reset-password")
    page.get_by_label("New password", exact=True).fill("another fine password")
    page.get_by_label("The new password again").fill("another fine password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#reset-error")).to_have_text(INVALID_TOKEN)
    assert tab.console.failed_statuses() == [401, 400]


def test_reset_needs_the_same_password_twice_and_a_strong_one(tab: Tab, smtp: SmtpSink) -> None:
    email = "barbara@example.com"
    _register(tab.base, email)
    since = len(smtp.received)
    assert httpx.post(f"{tab.base}/auth/password/forgot", json={"email": email}).status_code == 202
    page = _open_link(
        tab, mailed_link(smtp, email, "reset-password", since=since), "/reset-password"
    )
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("The new password again").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Set the new password").click()
    assert page.locator("#reset-repeat").evaluate("e => e.validity.customError")
    assert tab.console.failed_statuses() == []  # nothing was sent
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("The new password again").fill("password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#reset-error")).not_to_be_empty()
    assert tab.console.failed_statuses() == [422]
    # The token was not spent by the refusal.
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("The new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#reset-result")).to_contain_text("Your password has been changed")
    assert _bearer_login(tab.base, email, NEW_PASSWORD).status_code == 200


def test_verification_mail_from_the_account_screen(tab: Tab, smtp: SmtpSink) -> None:
    email = "grace@example.com"
    page = register_and_log_in(tab, email)
    notice = page.locator("#verify-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"{email} is not verified yet")
    since = len(smtp.received)
    page.get_by_role("button", name="Resend the verification mail").click()
    expect(page.locator("#resend-result")).not_to_be_empty()
    expect(log_entry(page, "verify")).to_contain_text("→ 202")
    tab.screenshot("account-unverified")

    link = mailed_link(smtp, email, "verify-email", since=since)
    page = _open_link(tab, link, "/verify-email")
    expect(page.get_by_role("heading", name="Verify your email address")).to_be_visible()
    page.get_by_role("button", name="Verify my email address").click()
    expect(page.locator("#verify-result")).to_have_text(f"{email} is verified. You can log in.")
    tab.screenshot("account-verified")

    # Back in the console (the session resumes): the notice is gone.
    page.goto(tab.base + "/")
    expect(page.locator("#who")).to_have_text(email)
    expect(page.locator("#account-panel")).to_be_visible()
    expect(notice).to_be_hidden()

    # A second use of the link is refused, with the server's message.
    page = _open_link(tab, link, "/verify-email")
    page.get_by_role("button", name="Verify my email address").click()
    expect(page.locator("#verify-error")).to_have_text(INVALID_TOKEN)
    assert tab.console.failed_statuses() == [400]
    assert tab.console.exceptions == []


def test_change_password_keeps_this_session(tab: Tab) -> None:
    email = "hedy@example.com"
    page = register_and_log_in(tab, email)
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#change-password-error")).to_have_text("Invalid credentials")
    expect(page.locator("#who")).to_have_text(email)  # still signed in, no refresh
    assert page.locator("#flow-log li[data-step='refresh']").count() == 0

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#change-password-result")).to_have_text(
        "Password changed. This session stays signed in."
    )
    expect(page.get_by_label("Current password")).to_have_value("")
    page.get_by_role("button", name="Call the protected API").click()
    expect(page.locator("#api-result")).to_contain_text("HTTP 200")
    tab.screenshot("account-password-changed")
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#status")).to_have_text("Signed out.")
    expect(page.locator("#account-panel")).to_have_count(0)
    fill(page, email, NEW_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#who")).to_have_text(email)
    assert tab.console.failed_statuses() == [401]  # the wrong current password
    assert tab.console.exceptions == []


def test_change_email_and_confirm_it(tab: Tab, smtp: SmtpSink) -> None:
    email, new_email = "katherine@example.com", "kj@example.com"
    page = register_and_log_in(tab, email)
    since = len(smtp.received)
    page.get_by_label("New email address").fill(new_email)
    page.locator("#email-form").get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Change email").click()
    expect(page.locator("#change-email-result")).not_to_be_empty()
    tab.screenshot("account-email-change-sent")

    link = mailed_link(smtp, new_email, "confirm-email", since=since)
    page = _open_link(tab, link, "/confirm-email")
    page.get_by_role("button", name="Confirm my new email address").click()
    expect(page.locator("#confirm-result")).to_have_text(
        f"Your account's email address is now {new_email}."
    )
    assert _bearer_login(tab.base, new_email, PASSWORD).status_code == 200
    assert _bearer_login(tab.base, email, PASSWORD).status_code == 401
    assert tab.console.exceptions == []


def test_delete_account_after_a_confirm_step(tab: Tab) -> None:
    email = "margaret@example.com"
    page = register_and_log_in(tab, email)
    delete_form = page.locator("#delete-form")
    delete_form.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete account").click()
    confirm = page.locator("#delete-confirm")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("button", name="Yes, delete my account")).to_be_focused()
    page.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    assert tab.console.failed_statuses() == []  # nothing was sent yet

    page.get_by_role("button", name="Delete account").click()
    page.get_by_role("button", name="Yes, delete my account").click()
    expect(page.locator("#delete-error")).to_have_text("Invalid credentials")
    expect(confirm).to_be_hidden()
    expect(page.locator("#who")).to_have_text(email)

    delete_form.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete account").click()
    tab.screenshot("account-delete-confirm")
    page.get_by_role("button", name="Yes, delete my account").click()
    expect(page.locator("#status")).to_have_text("Signed out. Your account has been deleted.")
    expect(page.locator("#account-panel")).to_have_count(0)
    fill(page, email)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#auth-error")).to_have_text("Invalid credentials")
    assert tab.console.failed_statuses() == [401, 401]
    assert tab.console.exceptions == []


def test_a_link_without_its_token(tab: Tab) -> None:
    for path in ("/reset-password", "/verify-email", "/confirm-email"):
        tab.page.goto(tab.base + path)
        expect(tab.page.get_by_role("heading", name="This link is incomplete")).to_be_visible()
        expect(tab.page.locator("form:visible")).to_have_count(0)
    tab.page.goto(tab.base + "/confirm-email?token=forged&utm=x#frag")
    expect(tab.page).to_have_url(tab.base + "/confirm-email")
    tab.page.get_by_role("button", name="Confirm my new email address").click()
    expect(tab.page.locator("#confirm-error")).to_have_text(INVALID_TOKEN)
    assert tab.console.failed_statuses() == [400]
    assert tab.console.exceptions == []


def test_account_pages_at_phone_width(browser: Browser, mailing: Served) -> None:
    with open_tab(browser, mailing.url, PHONE) as tab:
        for path in ("/forgot-password", "/reset-password?token=x", "/verify-email?token=x"):
            tab.page.goto(tab.base + path)
            expect(tab.page.locator("#status")).to_have_text("")
            _no_horizontal_scroll(tab.page)
        page = register_and_log_in(tab, "mary@example.com")
        expect(page.locator("#account-panel")).to_be_visible()
        _no_horizontal_scroll(page)
        tab.screenshot("account-phone-signed-in")
        assert tab.console.errors == []
        assert tab.console.exceptions == []


def test_a_login_refused_until_verified_offers_the_mail_again(tab: Tab, smtp: SmtpSink) -> None:
    """What a server that wants addresses verified first answers (register 202, login
    403 email_not_verified), given at the network layer; the mail is the server's own."""
    email = "joan@example.com"
    _register(tab.base, email)
    page = open_console(tab)
    checking = {"message": "Check your mail to finish registering."}
    page.route("**/auth/register", lambda route: route.fulfill(status=202, json=checking))
    fill(page, "newcomer@example.com")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#auth-info")).to_have_text(checking["message"])
    expect(log_entry(page, "register")).to_contain_text("register → 202")

    refused = {"error": "email_not_verified", "message": "Verify your email address first"}
    page.route("**/auth/login", lambda route: route.fulfill(status=403, json=refused))
    resend = page.get_by_role("button", name="Send the verification mail again")
    expect(resend).to_be_hidden()
    fill(page, email)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#auth-error")).to_have_text(refused["message"])
    since = len(smtp.received)
    resend.click()
    expect(page.locator("#auth-info")).not_to_be_empty()
    expect(page.locator("#auth-error")).to_be_empty()
    expect(resend).to_be_hidden()
    assert mailed_link(smtp, email, "verify-email", since=since).startswith(
        f"{tab.base}/verify-email?token="
    )
    assert tab.console.failed_statuses() == [403]
    assert tab.console.exceptions == []
