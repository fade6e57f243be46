"""The mfa_token: 5 minutes, one purpose, the login's state, dead at the 5th wrong code."""

from __future__ import annotations

import dataclasses

import pytest

from gatepass.errors import InvalidTokenError
from gatepass.store.records import User
from gatepass.tokens import mfa_token, onetime

NOW = 1_700_000_000.0
ALICE = User("a" * 32, "alice@example.com", "$argon2id$hash", "user", False, NOW)


@pytest.mark.parametrize("cookies", [True, False])
def test_a_fresh_token_lives_five_minutes_and_keeps_how_the_login_asked(cookies: bool) -> None:
    issued = mfa_token.mint(ALICE, NOW, cookies=cookies)
    assert issued.record.purpose == "mfa_login"
    assert issued.record.expires_at == NOW + 300
    assert issued.token not in repr(issued.record)
    assert mfa_token.state_of(issued.record) == mfa_token.MfaState(cookies=cookies, failures=0)
    assert onetime.redeem(issued.record, ALICE) == issued.record


def test_five_wrong_codes_end_it() -> None:
    record = mfa_token.mint(ALICE, NOW, cookies=False).record
    for failures in range(1, 5):
        kept = mfa_token.after_failure(record)
        assert kept is not None
        assert mfa_token.state_of(kept).failures == failures
        assert (kept.token_hash, kept.expires_at) == (record.token_hash, record.expires_at)
        record = kept
    assert mfa_token.after_failure(record) is None


def test_a_token_of_another_purpose_has_no_state() -> None:
    other = onetime.mint("reset_password", ALICE, NOW).record
    with pytest.raises(InvalidTokenError):
        mfa_token.state_of(other)
    with pytest.raises(InvalidTokenError):
        mfa_token.state_of(dataclasses.replace(other, purpose="mfa_login"))


def test_a_password_change_kills_it() -> None:
    record = mfa_token.mint(ALICE, NOW, cookies=False).record
    with pytest.raises(InvalidTokenError):
        onetime.redeem(record, dataclasses.replace(ALICE, password_hash="$argon2id$other"))
