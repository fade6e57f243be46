"""Each mail: subject, a text part, an HTML part (escaped), and its link."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from gatepass.mail.messages import MAIL_KINDS, Mail, MailWriter
from gatepass.store import User
from gatepass.tokens import onetime

NOW = 1_700_000_000.0
ALICE = User("a" * 32, "alice@example.com", "$argon2id$h", "user", False, NOW)
WRITER = MailWriter("https://app.example.com/")


def test_token_mails_carry_a_link_with_the_token_in_both_parts() -> None:
    reset = onetime.mint("reset_password", ALICE, NOW)
    verify = onetime.mint("verify_email", ALICE, NOW)
    change = onetime.mint("change_email", ALICE, NOW, payload="new@example.com")
    cases = [
        (WRITER.reset_password(ALICE.email, reset), "reset-password", reset, "30 minutes"),
        (WRITER.verify_email(ALICE.email, verify), "verify-email", verify, "24 hours"),
        (
            WRITER.email_change_confirm("new@example.com", change),
            "confirm-email",
            change,
            "60 minutes",
        ),
    ]
    for mail, page, issued, lifetime in cases:
        link = f"https://app.example.com/{page}?token={issued.token}"
        assert mail.link == link
        assert link in mail.text
        assert f'href="{link}"' in mail.html
        assert lifetime in mail.text
        assert issued.token not in repr(mail)
        assert mail.subject
        assert "\n" not in mail.subject


NOTICES: list[Callable[[], Mail]] = [
    lambda: WRITER.password_changed(ALICE.email),
    lambda: WRITER.email_change_notice(ALICE.email, "new@example.com"),
    lambda: WRITER.registration_attempt(ALICE.email),
    lambda: WRITER.account_deleted(ALICE.email),
]


@pytest.mark.parametrize("write", NOTICES)
def test_notices_carry_no_token(write: Callable[[], Mail]) -> None:
    mail = write()
    assert "token=" not in mail.text
    assert "token=" not in mail.html
    assert mail.to == ALICE.email
    assert mail.text.strip()
    assert mail.html.startswith("<!DOCTYPE html>")


def test_every_kind_has_a_writer() -> None:
    issued = onetime.mint("verify_email", ALICE, NOW)
    change = onetime.mint("change_email", ALICE, NOW, payload="n@example.com")
    written = {
        WRITER.verify_email(ALICE.email, issued).kind,
        WRITER.reset_password(ALICE.email, issued).kind,
        WRITER.email_change_confirm("n@example.com", change).kind,
        *(write().kind for write in NOTICES),
    }
    assert written == MAIL_KINDS


def test_the_notice_to_the_old_address_names_the_new_one() -> None:
    mail = WRITER.email_change_notice(ALICE.email, "new@example.com")
    assert "new@example.com" in mail.text
    assert "forgot-password" in mail.text


def test_everything_in_the_html_part_is_escaped() -> None:
    hostile = '"<script>alert(1)</script>"@example.com'
    writer = MailWriter("https://app.example.com", site="<b>Shop & Co</b>")
    mail = writer.email_change_notice(hostile, '"<img src=x onerror=1>"@example.com')
    assert "<script>" not in mail.html
    assert "<img" not in mail.html
    assert "<b>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert "&lt;b&gt;Shop &amp; Co&lt;/b&gt;" in mail.html
    assert set(re.findall(r"<(\w+)", mail.html)) <= {
        "html",
        "head",
        "meta",
        "title",
        "body",
        "p",
        "a",
        "br",
    }


def test_the_site_defaults_to_the_app_host() -> None:
    assert MailWriter("https://accounts.example.org/app").site == "accounts.example.org"
    mail = MailWriter("https://accounts.example.org/app").account_deleted(ALICE.email)
    assert mail.subject == "Your accounts.example.org account was deleted"
    assert MailWriter("https://x.example/app").link("verify-email", "t") == (
        "https://x.example/app/verify-email?token=t"
    )
