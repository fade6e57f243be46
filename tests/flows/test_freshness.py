"""``flows.freshness.proof_needed``: the pure rule, on hand-moved times."""

from gatepass.flows.freshness import proof_needed
from tests.clock import T0


def test_a_login_within_max_age_needs_no_proof() -> None:
    for now in (T0, T0 + 600):
        assert proof_needed(auth_time=T0, max_age=600, now=now, totp_on=True) is None


def test_a_stale_login_needs_the_code_with_totp_on_and_the_password_without() -> None:
    assert proof_needed(auth_time=T0, max_age=600, now=T0 + 601, totp_on=True) == "code"
    assert proof_needed(auth_time=T0, max_age=600, now=T0 + 601, totp_on=False) == "password"


def test_max_age_zero_asks_for_the_proof_a_second_later() -> None:
    assert proof_needed(auth_time=T0, max_age=0, now=T0, totp_on=False) is None
    assert proof_needed(auth_time=T0, max_age=0, now=T0 + 1, totp_on=False) == "password"
