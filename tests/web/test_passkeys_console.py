"""Passkeys in the console, in a real browser against a real ``gatepass serve``.

Chromium's virtual authenticator (CDP ``WebAuthn.*``: ctap2, internal,
resident keys, user verification) is the device. WebAuthn needs a secure
context and a domain for its relying party id (an IP address is refused), so
the server's issuer is ``http://localhost:PORT`` (rp id ``localhost``, the
one origin allowed) and the console is opened there. "Another origin" is a
page Playwright serves at ``http://localhost:OTHER_PORT``: the same rp id is
valid there, so the browser signs, and the server must refuse.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import CDPSession, Page, Route, expect

from tests.serving import Served, free_port, serve
from tests.web.conftest import Tab, open_tab, server_env
from tests.web.steps import fill, log_entry, register_and_log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def on_localhost(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    """A server whose issuer (and so rp id and origin) is ``http://localhost:PORT``."""
    tmp = tmp_path_factory.mktemp("passkeys")
    port = free_port()
    env = server_env(tmp, GATEPASS_ACCESS_TTL="120", GATEPASS_ISSUER=f"http://localhost:{port}")
    with serve(env, tmp, name="passkeys", port=port) as running:
        yield running, tmp / "gatepass.db"


@pytest.fixture
def tab(browser: Any, on_localhost: tuple[Served, Path]) -> Iterator[Tab]:
    served, _ = on_localhost
    with open_tab(browser, served.url.replace("127.0.0.1", "localhost")) as opened:
        yield opened


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def audit(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT event FROM audit_events ORDER BY id")]


def add_passkey(page: Page, name: str) -> None:
    page.get_by_label("Name for a new passkey (optional)").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-result")).to_have_text(
        f'Passkey "{name}" added: log in with it next time.'
    )
    expect(page.locator("#passkey-list li")).to_have_count(1)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#status")).to_have_text("Signed out.")


def log_in_with_passkey(page: Page) -> None:
    page.get_by_role("button", name="Log in with a passkey").click()


def test_register_log_out_and_log_in_with_the_passkey_alone(
    tab: Tab, on_localhost: tuple[Served, Path]
) -> None:
    email = "passkey@example.com"
    page = register_and_log_in(tab, email)
    cdp, authenticator = virtual_authenticator(page)
    expect(page.locator("#passkeys-state")).to_contain_text("No passkey yet")
    add_passkey(page, "Laptop")
    (stored,) = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
        "credentials"
    ]
    assert stored["isResidentCredential"] is True
    assert stored["rpId"] == "localhost"
    tab.screenshot("passkey-added")

    log_out(page)
    log_in_with_passkey(page)
    expect(page.locator("#who")).to_have_text(email)  # no email typed: /me says who
    expect(log_entry(page, "login")).to_contain_text("passkey login → 200")
    payload = json.loads(page.locator("#payload-json").text_content() or "{}")
    assert payload["amr"] == ["hwk", "user", "mfa"]
    expect(page.locator("#passkey-list li")).to_contain_text("last used")

    # rename and delete in the list
    page.get_by_label("Passkey name").fill("Work laptop")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("#passkey-result")).to_have_text('Renamed to "Work laptop".')
    expect(page.get_by_label("Passkey name")).to_have_value("Work laptop")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("#passkey-result")).to_contain_text("Passkey deleted")
    expect(page.locator("#passkey-list li")).to_have_count(0)
    log_out(page)
    log_in_with_passkey(page)  # the authenticator still holds it; the server does not
    expect(page.locator("#auth-error")).to_have_text("The passkey was not accepted")
    assert tab.console.failed_statuses() == [401]
    assert tab.console.exceptions == []
    _, db = on_localhost
    assert {"passkey_added", "passkey_login", "passkey_removed"} <= set(audit(db))


def test_the_password_login_offers_the_passkey_as_its_second_step(tab: Tab) -> None:
    email = "second@example.com"
    page = register_and_log_in(tab, email)
    virtual_authenticator(page)
    add_passkey(page, "Phone")
    log_out(page)
    fill(page, email)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(log_entry(page, "login")).to_contain_text("the second step needs your passkey")
    expect(page.locator("#mfa-code-box")).to_be_hidden()
    use = page.get_by_role("button", name="Use your passkey")
    expect(use).to_be_focused()
    use.click()
    expect(page.locator("#who")).to_have_text(email)
    expect(log_entry(page, "login")).to_contain_text("second step (passkey) → 200")
    payload = json.loads(page.locator("#payload-json").text_content() or "{}")
    assert payload["amr"] == ["pwd", "hwk", "user", "mfa"]
    assert tab.console.exceptions == []


def test_a_clone_with_a_lower_sign_count_is_refused(
    tab: Tab, on_localhost: tuple[Served, Path]
) -> None:
    page = register_and_log_in(tab, "clone@example.com")
    cdp, authenticator = virtual_authenticator(page)
    add_passkey(page, "Original")
    log_out(page)
    log_in_with_passkey(page)
    expect(page.locator("#who")).to_have_text("clone@example.com")
    log_out(page)
    (credential,) = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
        "credentials"
    ]
    assert credential["signCount"] >= 1
    # The same key with its counter back at 0: what a copy made earlier would say.
    cdp.send(
        "WebAuthn.removeCredential",
        {"authenticatorId": authenticator, "credentialId": credential["credentialId"]},
    )
    cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": authenticator, "credential": {**credential, "signCount": 0}},
    )
    log_in_with_passkey(page)
    expect(page.locator("#auth-error")).to_have_text("The passkey was not accepted")
    expect(page.locator("#session-panel")).to_be_hidden()
    assert tab.console.failed_statuses() == [401]
    _, db = on_localhost
    assert audit(db).count("passkey_clone_suspected") == 1


def test_an_assertion_made_for_another_origin_is_refused(
    tab: Tab, on_localhost: tuple[Served, Path]
) -> None:
    page = register_and_log_in(tab, "origin@example.com")
    virtual_authenticator(page)
    add_passkey(page, "Desk")
    log_out(page)
    served, _ = on_localhost
    other = f"http://localhost:{free_port()}"

    def blank(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>x</title>")

    page.route(f"{other}/**", blank)
    page.goto(other + "/")
    assert page.evaluate("window.isSecureContext") is True
    api = served.url + "/auth"
    options = httpx.post(api + "/passkeys/login/options").json()
    # The browser signs (rp id "localhost" is valid on any localhost port) ...
    credential = page.evaluate(SIGN, options)
    client_data = json.loads(
        base64.urlsafe_b64decode(credential["response"]["clientDataJSON"] + "==")
    )
    assert client_data["origin"] == other
    # ... and the server, whose one origin is the console's, refuses it.
    reply = httpx.post(api + "/passkeys/login", json={"credential": credential})
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_credential"
    assert "set-cookie" not in reply.headers


# navigator.credentials.get() in the page, with the byte strings converted as
# gatepass-passkeys.js does (that module is not served on the other origin).
SIGN = """async (options) => {
  const bytes = (t) => Uint8Array.from(atob(t.replace(/-/g, "+").replace(/_/g, "/")
    + "=".repeat((4 - t.length % 4) % 4)), (c) => c.charCodeAt(0));
  const text = (b) => btoa(String.fromCharCode(...new Uint8Array(b)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const got = await navigator.credentials.get({ publicKey: {
    ...options, challenge: bytes(options.challenge), allowCredentials: [] } });
  return { id: got.id, rawId: text(got.rawId), type: got.type, response: {
    clientDataJSON: text(got.response.clientDataJSON),
    authenticatorData: text(got.response.authenticatorData),
    signature: text(got.response.signature),
    userHandle: text(got.response.userHandle) } };
}"""
