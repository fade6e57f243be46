"""The mails gatepass sends: subject, a text part, an HTML part and the link.

A ``MailWriter`` knows where the links point (``GATEPASS_APP_URL``: the page
for each link is ``<app url>/<page>?token=<token>``) and writes each mail:

=======================  =================  ============================
kind                     to                 link
=======================  =================  ============================
``verify_email``         the address        ``verify-email?token=``
``reset_password``       the address        ``reset-password?token=``
``password_changed``     the address        ``forgot-password`` (no token)
``email_change_confirm`` the NEW address    ``confirm-email?token=``
``email_change_notice``  the old address    ``forgot-password`` (no token)
``registration_attempt`` the address        ``forgot-password`` (no token)
``account_deleted``      the address        none
=======================  =================  ============================

Every value put into the HTML part is escaped; the token is base64url, so the
link needs no quoting beyond that. Pure.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Literal, get_args
from urllib.parse import urlencode, urlsplit

from gatepass.mail.config import MailConfig
from gatepass.tokens.onetime import IssuedToken

__all__ = ["MAIL_KINDS", "Mail", "MailKind", "MailWriter"]

MailKind = Literal[
    "verify_email",
    "reset_password",
    "password_changed",
    "email_change_confirm",
    "email_change_notice",
    "registration_attempt",
    "account_deleted",
]
MAIL_KINDS: frozenset[str] = frozenset(get_args(MailKind))

VERIFY_PAGE = "verify-email"
RESET_PAGE = "reset-password"
CONFIRM_EMAIL_PAGE = "confirm-email"
FORGOT_PAGE = "forgot-password"


@dataclass(frozen=True, slots=True)
class Mail:
    kind: MailKind
    to: str
    subject: str
    text: str = field(repr=False)
    html: str = field(repr=False)
    link: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class MailWriter:
    """Writes each mail with links under ``app_url`` (no trailing slash needed);
    ``site`` names the service in the text (the app URL's host unless given)."""

    app_url: str
    site: str = ""

    def __post_init__(self) -> None:
        if not self.site:
            object.__setattr__(self, "site", urlsplit(self.app_url).hostname or "gatepass")

    @classmethod
    def for_config(cls, config: MailConfig) -> MailWriter:
        """The writer of ``config``'s links (``Settings.mail_config`` always names a base)."""
        if config.app_url is None:
            raise ValueError("mail links need the app URL they point under")
        return cls(config.app_url)

    def link(self, page: str, token: str | None = None) -> str:
        base = f"{self.app_url.rstrip('/')}/{page}"
        return base if token is None else f"{base}?{urlencode({'token': token})}"

    def verify_email(self, to: str, issued: IssuedToken) -> Mail:
        return self._mail(
            "verify_email",
            to,
            f"Confirm your email address for {self.site}",
            [
                f"Confirm that {to} is your address by opening this link "
                f"within {_duration(issued.lifetime)}:",
            ],
            self.link(VERIFY_PAGE, issued.token),
            "Confirm my address",
            ["If you did not create an account, ignore this mail."],
        )

    def reset_password(self, to: str, issued: IssuedToken) -> Mail:
        return self._mail(
            "reset_password",
            to,
            f"Reset your {self.site} password",
            [
                "Someone asked to reset the password of your account. To choose a new "
                f"password, open this link within {_duration(issued.lifetime)}:",
            ],
            self.link(RESET_PAGE, issued.token),
            "Choose a new password",
            [
                "The link works once. If you did not ask for it, ignore this mail: "
                "your password stays as it is.",
            ],
        )

    def password_changed(self, to: str) -> Mail:
        return self._mail(
            "password_changed",
            to,
            f"Your {self.site} password was changed",
            [
                "The password of your account was just changed, and your other sessions "
                "were signed out."
            ],
            self.link(FORGOT_PAGE),
            "Reset my password",
            ["If this was not you, reset your password now with the link above."],
        )

    def email_change_confirm(self, to: str, issued: IssuedToken) -> Mail:
        return self._mail(
            "email_change_confirm",
            to,
            f"Confirm your new email address for {self.site}",
            [
                f"To make {to} the address of your account, open this link "
                f"within {_duration(issued.lifetime)}:",
            ],
            self.link(CONFIRM_EMAIL_PAGE, issued.token),
            "Confirm my new address",
            ["If you did not ask for this, ignore this mail: nothing changes."],
        )

    def email_change_notice(self, to: str, new_email: str) -> Mail:
        return self._mail(
            "email_change_notice",
            to,
            f"A new email address was requested for your {self.site} account",
            [
                f"Someone asked to change the address of your account from {to} to "
                f"{new_email}. The change happens only when the new address is "
                "confirmed.",
            ],
            self.link(FORGOT_PAGE),
            "Reset my password",
            ["If this was not you, reset your password now with the link above."],
        )

    def registration_attempt(self, to: str) -> Mail:
        return self._mail(
            "registration_attempt",
            to,
            f"Someone tried to register at {self.site} with your address",
            [
                f"Someone tried to create an account with {to}, which already has one. "
                "Nothing was changed.",
            ],
            self.link(FORGOT_PAGE),
            "Reset my password",
            ["If it was you and you forgot your password, reset it with the link above."],
        )

    def account_deleted(self, to: str) -> Mail:
        return self._mail(
            "account_deleted",
            to,
            f"Your {self.site} account was deleted",
            [
                f"The account of {to} and its personal data were deleted, and every "
                "session was signed out.",
            ],
            None,
            None,
            ["If this was not you, contact the service's operators."],
        )

    def _mail(
        self,
        kind: MailKind,
        to: str,
        subject: str,
        before: list[str],
        link: str | None,
        action: str | None,
        after: list[str],
    ) -> Mail:
        text_parts = [*before, *([] if link is None else [link]), *after]
        text = "\n\n".join(text_parts) + f"\n\n-- \n{self.site}\n"
        html_parts = [f"<p>{html.escape(p)}</p>" for p in before]
        if link is not None:
            html_parts.append(
                f'<p><a href="{html.escape(link)}">{html.escape(action or link)}</a></p>'
                f"<p>{html.escape(link)}</p>"
            )
        html_parts += [f"<p>{html.escape(p)}</p>" for p in after]
        body = "\n".join(html_parts)
        page = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head>\n<body>\n{body}\n"
            f"<p>-- <br>{html.escape(self.site)}</p>\n</body></html>\n"
        )
        return Mail(kind, to, subject, text, page, link)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"{hours} hours"
