"""The shipped list of common passwords."""

from __future__ import annotations

from gatepass.identity.blocklist import MIN_LENGTH, fold, is_common, load


def test_the_list_holds_100k_folded_passwords_long_enough_to_matter() -> None:
    common = load()
    assert len(common) == 100_000
    assert all(len(p) >= MIN_LENGTH and fold(p) == p for p in common)
    assert load() is common  # read once


def test_matching_ignores_case_and_width() -> None:
    assert is_common("password1")
    assert is_common("PassWord1")
    assert is_common("\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44")  # fullwidth "password"
    assert not is_common("correct horse battery")
