"""Each account flow end to end against one ``gatepass serve`` (SQLite, real SMTP on
loopback), over HTTP, every token read from the link of the mail that carried it."""

from __future__ import annotations

from tests.accounts.conftest import (
    ACCEPTED,
    NEW_PASSWORD,
    PASSWORD,
    Site,
    claims_of,
    site_fixture,
)
from tests.smtp import text_of, token_of

site = site_fixture("flows")


def _signed_up(site: Site, email: str) -> None:
    """Registered (201: this server does not require verified addresses) and verified."""
    assert site.register(email).status_code == 201
    token = token_of(site.mail(email, "verify_email"))
    assert site.post("/auth/verify-email", {"token": token}).status_code == 200


def test_register_then_verify_the_address(site: Site) -> None:
    email = "ada@example.com"
    registered = site.register(email)
    assert registered.status_code == 201, registered.text
    assert registered.json()["email"] == email
    before = site.tokens(email)["access_token"]
    assert claims_of(before)["email_verified"] is False

    token = token_of(site.mail(email, "verify_email"))
    verified = site.post("/auth/verify-email", {"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json() == {"email": email, "email_verified": True}

    fresh = site.tokens(email)["access_token"]
    assert claims_of(fresh)["email_verified"] is True
    me = site.client.get("/auth/me", headers={"Authorization": f"Bearer {fresh}"})
    assert me.status_code == 200
    assert me.json()["user"]["email_verified"] is True


def test_forgot_then_reset_ends_every_session(site: Site) -> None:
    email = "barbara@example.com"
    _signed_up(site, email)
    old = site.tokens(email)
    assert site.dashboard(old["access_token"]) == 200

    forgot = site.post("/auth/password/forgot", {"email": email})
    assert (forgot.status_code, forgot.json()) == (202, ACCEPTED)
    token = token_of(site.mail(email, "reset_password"))
    reset = site.post("/auth/password/reset", {"token": token, "password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text

    site.refused_soon(old["access_token"])
    assert site.refresh(old["refresh_token"]).status_code == 401
    new = site.login(email, NEW_PASSWORD)  # at once: the same second as the reset
    assert new.status_code == 200, new.text
    assert site.dashboard(new.json()["access_token"]) == 200
    assert site.login(email, PASSWORD).status_code == 401
    site.mail(email, "password_changed")


def test_password_change_keeps_the_callers_session_and_ends_the_others(site: Site) -> None:
    email = "cecile@example.com"
    _signed_up(site, email)
    mine, other = site.tokens(email), site.tokens(email)

    changed = site.post(
        "/auth/password/change",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        token=mine["access_token"],
    )
    assert changed.status_code == 204, changed.text

    site.refused_soon(other["access_token"])
    assert site.refresh(other["refresh_token"]).status_code == 401
    assert site.dashboard(mine["access_token"]) == 200
    assert site.refresh(mine["refresh_token"]).status_code == 200
    assert site.login(email, NEW_PASSWORD).status_code == 200
    assert site.login(email, PASSWORD).status_code == 401
    site.mail(email, "password_changed")


def test_email_change_confirmed_from_the_new_address(site: Site) -> None:
    old, new = "dora@example.com", "dora@example.org"
    _signed_up(site, old)
    access = site.tokens(old)["access_token"]

    asked = site.post("/auth/email/change", {"new_email": new, "password": PASSWORD}, access)
    assert (asked.status_code, asked.json()) == (202, ACCEPTED)
    token = token_of(site.mail(new, "email_change_confirm"))
    notice = site.mail(old, "email_change_notice")
    assert new in text_of(notice)

    confirmed = site.post("/auth/email/confirm", {"token": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"email": new, "email_verified": True}
    assert site.login(new).status_code == 200
    assert site.login(old).status_code == 401


def test_deleting_the_account(site: Site) -> None:
    email = "edith@example.com"
    _signed_up(site, email)
    tokens = site.tokens(email)

    deleted = site.client.request(
        "DELETE",
        "/auth/me",
        json={"password": PASSWORD},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert deleted.status_code == 204, deleted.text
    site.refused_soon(tokens["access_token"])
    assert site.refresh(tokens["refresh_token"]).status_code == 401
    assert site.login(email).status_code == 401
    site.mail(email, "account_deleted")

    again = site.register(email)
    assert again.status_code == 201, again.text
    site.mail(email, "verify_email")
