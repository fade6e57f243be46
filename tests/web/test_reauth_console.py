"""A recent login for sensitive changes, in the console, in a real browser.

The server is the app on uvicorn in this process, so its clock is one the test
moves by hand past ``GATEPASS_REAUTH_MAX_AGE`` (600 s): the change answers
``insufficient_user_authentication``, the console asks for the password (and
a code from pyotp when two-step login is on), re-authenticates and the
change goes through.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from gatepass.server import create_app
from gatepass.settings import Settings
from gatepass.store import open_store
from tests.clock import Clock
from tests.protect.helpers import running
from tests.web.conftest import Tab, open_tab
from tests.web.steps import PASSWORD, fill, log_entry, register_and_log_in

pytestmark = pytest.mark.browser

PAST_THE_WINDOW = 601


class Moved:
    def __init__(self, url: str, clock: Clock) -> None:
        self.url, self.clock = url, clock


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moved]:
    """The server on a clock the test moves (it starts at the real time)."""
    clock = Clock(time.time())
    kek = tmp_path_factory.mktemp("reauth") / "gatepass.kek"
    settings = Settings(cookie_secure=False, refresh_grace=0, key_encryption_key_file=str(kek))
    app = create_app(settings, store=open_store("memory://"), clock=clock)
    with running(app, lifespan="on") as url:
        yield Moved(url, clock)


@pytest.fixture
def tab(browser: Browser, moved: Moved) -> Iterator[Tab]:
    with open_tab(browser, moved.url) as opened:
        yield opened


def _turn_totp_on(page: Page, clock: Clock) -> pyotp.TOTP:
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("#totp-secret")
    expect(secret).not_to_be_empty()
    app = pyotp.TOTP(secret.text_content() or "")
    page.get_by_label("Code from the app").fill(app.at(clock()))
    page.get_by_role("button", name="Turn on two-step login").click()
    expect(page.locator("#totp-result")).to_contain_text("Two-step login is on")
    return app


def test_email_change_after_the_window_asks_for_password_and_code(tab: Tab, moved: Moved) -> None:
    email, clock = "stale@example.com", moved.clock
    page = register_and_log_in(tab, email)
    app = _turn_totp_on(page, clock)
    clock.now += 30
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#status")).to_have_text("Signed out.")
    fill(page, email)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_label("Code from your app, or a recovery code").fill(app.at(clock()))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#who")).to_have_text(email)

    clock.now += PAST_THE_WINDOW
    page.get_by_label("New email address").fill("fresh@example.com")
    page.locator("#email-password").fill(PASSWORD)
    page.get_by_role("button", name="Change email").click()
    dialog = page.get_by_role("dialog", name="Confirm it is you")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("and a code from your authenticator app")
    expect(dialog.get_by_label("Your password")).to_be_focused()
    expect(log_entry(page, "reauth")).to_contain_text("insufficient_user_authentication")
    dialog.get_by_label("Your password").fill(PASSWORD)
    dialog.get_by_label("Code from your app").fill(app.at(clock()))
    tab.screenshot("reauth-asked")
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#change-email-result")).to_have_text(
        "If the address belongs to an account, a mail is on its way."
    )
    expect(page.locator("#change-email-error")).to_be_empty()
    assert tab.console.failed_statuses() == [401]  # the stale change, once
    assert tab.console.exceptions == []


def test_totp_setup_after_the_window_asks_for_the_password_alone(tab: Tab, moved: Moved) -> None:
    page = register_and_log_in(tab, "plain@example.com")
    moved.clock.now += PAST_THE_WINDOW
    page.get_by_role("button", name="Set up an authenticator app").click()
    dialog = page.get_by_role("dialog", name="Confirm it is you")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Code from your app")).to_be_hidden()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#totp-error")).to_have_text("A more recent login is required")

    page.get_by_role("button", name="Set up an authenticator app").click()
    dialog.get_by_label("Your password").fill(PASSWORD)
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.locator("#totp-secret")).not_to_be_empty()
    expect(page.locator("#totp-error")).to_be_empty()
    assert tab.console.failed_statuses() == [401, 401]
    assert tab.console.exceptions == []
