"""The login lockout rule: who may try a password now, who waits, who is refused.

It follows OWASP's Authentication Cheat Sheet and NIST SP 800-63B §5.2.2, and
is built so that an attacker cannot turn it on the account's owner:

- only failed logins count; a success clears that account's counter for the
  client that succeeded;
- the tight limit is per (account, client IP): a client over it is refused
  (429 with Retry-After) on that account, and nobody else is;
- the loose limit is per account across every client (NIST: at most 100
  failures). Over it, clients that have failed on the account are refused,
  and a client with no failures on it is slowed down, never refused: the
  delay grows by a second for every ``limit`` failures, up to a bound. An
  attacker spread over many addresses therefore gets one slow guess per
  address, and the owner, from a fresh address, still logs in.

``decide`` is pure: the rate-limit storage (``gatepass.server.ratelimit``)
reads the counters, asks it, and applies the answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = [
    "Allow",
    "Counter",
    "Decision",
    "Delay",
    "LoginCounters",
    "Refuse",
    "account_key",
    "decide",
]


@dataclass(frozen=True, slots=True)
class Counter:
    """Failures counted in one moving window, against that window's limit."""

    count: int
    limit: int
    retry_after: int  # seconds until the oldest counted failure leaves the window


@dataclass(frozen=True, slots=True)
class LoginCounters:
    """What is known before a password is checked, this attempt not counted."""

    from_client: tuple[Counter, ...]  # this account, from this client IP (stacked windows)
    from_all: Counter  # this account, from every client IP


@dataclass(frozen=True, slots=True)
class Allow:
    """Check the password now."""


@dataclass(frozen=True, slots=True)
class Delay:
    """Check the password after waiting ``seconds`` (the attempt is never refused)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Refuse:
    """Answer 429; the client may try again after ``retry_after`` seconds."""

    retry_after: int


Decision = Allow | Delay | Refuse


def decide(counters: LoginCounters, max_delay: float) -> Decision:
    """The rule in the module docstring, for one login attempt."""
    for window in counters.from_client:
        if window.count >= window.limit:
            return Refuse(window.retry_after)
    account = counters.from_all
    if account.count < account.limit:
        return Allow()
    if any(window.count for window in counters.from_client):
        return Refuse(account.retry_after)
    return Delay(min(max_delay, account.count / account.limit))


def account_key(email: str) -> str:
    """The counters' key for an account: fixed length, no attacker-chosen characters.

    Emails are compared case-insensitively here, as the login route looks
    them up; the digest keeps ``/``, ``:`` and long addresses out of the
    rate-limit keys, so no two accounts share a counter and no key grows.
    """
    return hashlib.sha256(email.lower().encode("utf-8")).hexdigest()[:32]
