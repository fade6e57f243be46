"""Sign-in with a provider in the console, in a real browser: the console's button, panva's
oidc-provider's own login and consent pages, and back signed in; the error page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.federation.conftest import Federated, federated
from tests.web.conftest import Tab, open_tab
from tests.web.steps import register_and_log_in

pytestmark = pytest.mark.browser
__all__ = ["federated"]  # the fixture, used here


@pytest.fixture
def tab(browser: Browser, federated: Federated) -> Iterator[Tab]:
    with open_tab(browser, federated.gatepass.url) as opened:
        # oidc-provider's dev pages load a web font; nothing leaves the machine
        opened.page.route("https://fonts.googleapis.com/**", lambda route: route.abort())
        yield opened


def test_sign_in_with_the_provider_from_the_console(tab: Tab, federated: Federated) -> None:
    page = tab.page
    page.goto(tab.base + "/")
    button = page.get_by_role("link", name="Sign in with local")
    expect(button).to_be_visible()
    button.click()
    # the provider's own login page
    expect(page.locator("input[name=login]")).to_be_visible()
    assert page.url.startswith(f"{federated.issuer}/interaction/")
    page.locator("input[name=login]").fill("hana")
    page.locator("input[name=password]").fill("whatever")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent
    expect(page.locator("#who")).to_have_text("hana@example.com")
    assert page.url == tab.base + "/"
    tab.screenshot("federated-signed-in")
    identities = page.locator("#identities li")
    expect(identities).to_have_count(1)
    expect(identities.first).to_contain_text("local · hana@example.com")
    expect(page.locator("#no-password-notice")).to_be_visible()
    # the only way in of a passwordless account stays
    identities.first.get_by_role("button", name="Unlink local").click()
    expect(page.locator("#identities-error")).to_contain_text("only way to sign in")
    expect(identities).to_have_count(1)
    assert tab.console.exceptions == []


def test_link_then_unlink_a_provider_from_your_account(tab: Tab) -> None:
    page = register_and_log_in(tab, "ivy@example.com")
    expect(page.locator("#identities-empty")).to_be_visible()
    page.get_by_role("button", name="Link local").click()
    page.locator("input[name=login]").fill("ivy")
    page.locator("input[name=password]").fill("whatever")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#who")).to_have_text("ivy@example.com")
    identities = page.locator("#identities li")
    expect(identities).to_have_count(1)
    expect(identities.first).to_contain_text("local · ivy@example.com")
    expect(page.locator("#no-password-notice")).to_be_hidden()
    # a password is another way in: the identity may go
    identities.first.get_by_role("button", name="Unlink local").click()
    expect(identities).to_have_count(0)
    expect(page.locator("#identities-empty")).to_be_visible()
    assert tab.console.exceptions == []


def test_a_refused_return_to_ends_on_the_error_page(tab: Tab) -> None:
    page = tab.page
    page.goto(tab.base + "/auth/oidc/local/login?return_to=https://evil.example/")
    expect(page.locator("#oidc-error-text")).to_have_text(
        "The page to return to after signing in is not allowed."
    )
    assert page.url == tab.base + "/oidc-error"  # the code is taken out of the address bar
    expect(page.get_by_role("link", name="Back to the console")).to_be_visible()
    assert tab.console.exceptions == []


def test_an_unknown_code_says_only_that_it_failed(tab: Tab) -> None:
    page = tab.page
    page.goto(tab.base + "/oidc-error?error=<img src=x onerror=alert(1)>")
    expect(page.locator("#oidc-error-text")).to_have_text("Signing in with the provider failed.")
    assert page.locator("img").count() == 0
