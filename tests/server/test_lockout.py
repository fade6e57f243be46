"""The pure lockout rule: refuse per (account, client), slow down, never lock the owner out."""

from __future__ import annotations

import re

import pytest

from gatepass.server.lockout import (
    Allow,
    Counter,
    Delay,
    LoginCounters,
    Refuse,
    account_key,
    decide,
)

MAX_DELAY = 3.0


def _counters(short: int, long: int, everyone: int) -> LoginCounters:
    """This client's failures in its 10/15-minute and 30/hour windows; everyone's in 100/hour."""
    return LoginCounters(
        from_client=(Counter(short, 10, 600), Counter(long, 30, 3000)),
        from_all=Counter(everyone, 100, 1200),
    )


def test_under_every_limit_the_password_is_checked_now() -> None:
    assert decide(_counters(0, 0, 0), MAX_DELAY) == Allow()
    assert decide(_counters(9, 29, 99), MAX_DELAY) == Allow()


def test_a_client_over_its_limit_on_the_account_is_refused_until_its_window_frees() -> None:
    assert decide(_counters(10, 10, 10), MAX_DELAY) == Refuse(600)
    assert decide(_counters(5, 30, 30), MAX_DELAY) == Refuse(3000)  # the stacked long window


def test_over_the_account_limit_a_client_that_failed_on_it_is_refused() -> None:
    assert decide(_counters(1, 1, 100), MAX_DELAY) == Refuse(1200)
    assert decide(_counters(0, 1, 250), MAX_DELAY) == Refuse(1200)  # failed within the hour


def test_over_the_account_limit_a_fresh_client_is_delayed_never_refused() -> None:
    assert decide(_counters(0, 0, 100), MAX_DELAY) == Delay(1.0)
    assert decide(_counters(0, 0, 150), MAX_DELAY) == Delay(1.5)
    assert decide(_counters(0, 0, 300), MAX_DELAY) == Delay(3.0)
    assert decide(_counters(0, 0, 10**6), MAX_DELAY) == Delay(3.0)  # bounded
    assert decide(_counters(0, 0, 10**6), 0.0) == Delay(0.0)  # delays can be turned off


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ada@example.com", "bob@example.com"),
        ("a/b@example.com", "a@b/example.com"),  # the limits library joins keys with "/"
        ("a:b@example.com", "a@b:example.com"),
    ],
)
def test_account_keys_are_distinct_fixed_length_and_hide_the_address(one: str, other: str) -> None:
    assert account_key(one) != account_key(other)
    for email in (one, other, "x" * 300 + "@example.com"):
        assert re.fullmatch(r"[0-9a-f]{32}", account_key(email))


def test_account_keys_ignore_case() -> None:
    assert account_key("Ada@Example.COM") == account_key("ada@example.com")
