"""Steps the browser tests take on the console: open it, fill the form, sign in, read the log."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.web.conftest import Tab

__all__ = ["PASSWORD", "fill", "log_entry", "open_console", "register_and_log_in"]

PASSWORD = "correct horse battery"


def log_entry(page: Page, step: str) -> Any:
    """The latest flow-log entry of one kind of step."""
    return page.locator(f"#flow-log li[data-step='{step}']").last


def open_console(tab: Tab) -> Page:
    tab.page.goto(tab.base + "/")
    expect(tab.page.locator("#status")).to_have_text("Signed out.")
    return tab.page


def fill(page: Page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)


def register_and_log_in(tab: Tab, email: str) -> Page:
    page = open_console(tab)
    fill(page, email)
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#auth-info")).to_have_text(f"Account created for {email}. Now log in.")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#who")).to_have_text(email)
    expect(log_entry(page, "login")).to_contain_text("login → 200, access token issued")
    return page
