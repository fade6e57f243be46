"""``gatepass.stepup``: the requirement judged on claims, on a clock moved by hand."""

from collections.abc import Mapping

import pytest

from gatepass.errors import ConfigError, InsufficientUserAuthenticationError
from gatepass.stepup import MORE_RECENT, STRONGER, StepUp, challenge, login_is_recent
from tests.clock import T0


def refusal(step_up: StepUp, claims: Mapping[str, object], now: float = T0) -> str:
    with pytest.raises(InsufficientUserAuthenticationError) as caught:
        step_up.check(claims, now)
    return challenge(caught.value)


def test_every_listed_method_must_be_in_amr() -> None:
    need = StepUp.of(amr=["pwd", "otp"])
    need.check({"amr": ["otp", "pwd", "mfa"]}, T0)
    for claims in ({}, {"amr": ["pwd"]}, {"amr": "pwd otp"}, {"amr": [1, "otp"]}):
        assert "A stronger login" in refusal(need, claims)


def test_mfa_is_met_by_the_mfa_value_every_second_factor_adds() -> None:
    StepUp.of(amr=["mfa"]).check({"amr": ["pwd", "otp", "mfa"]}, T0)
    refusal(StepUp.of(amr=["mfa"]), {"amr": ["pwd"]})


def test_acr_is_one_of_the_listed_classes_and_the_challenge_names_them() -> None:
    need = StepUp.of(acr=["gold", "silver"])
    need.check({"acr": "silver"}, T0)
    assert refusal(need, {"acr": "bronze"}) == (
        'Bearer error="insufficient_user_authentication", '
        f'error_description="{STRONGER}", acr_values="gold silver"'
    )


def test_max_age_is_inclusive_and_needs_auth_time() -> None:
    need = StepUp.of(max_age=60)
    need.check({"auth_time": int(T0)}, T0 + 60)
    expected = (
        f'Bearer error="insufficient_user_authentication", '
        f'error_description="{MORE_RECENT}", max_age="60"'
    )
    assert refusal(need, {"auth_time": int(T0)}, T0 + 61) == expected
    for claims in ({}, {"auth_time": "1800000000"}, {"auth_time": True}):
        assert refusal(need, claims) == expected


def test_a_failed_amr_names_the_routes_max_age_too() -> None:
    need = StepUp.of(amr=["otp"], max_age=30)
    assert refusal(need, {"amr": ["pwd"], "auth_time": T0}).endswith(', max_age="30"')


def test_login_is_recent_on_plain_values() -> None:
    assert login_is_recent(T0, max_age=0, now=T0)
    assert not login_is_recent(T0, max_age=0, now=T0 + 1)
    assert not login_is_recent(None, max_age=600, now=T0)


@pytest.mark.parametrize(
    "options",
    [{"amr": ['o"tp']}, {"acr": ["a b"]}, {"max_age": -1}, {"max_age": 1.5}, {"amr": [""]}],
)
def test_names_that_would_break_the_header_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        StepUp.of(**options)  # type: ignore[arg-type]


def test_one_string_is_not_a_list() -> None:
    with pytest.raises(TypeError):
        StepUp.of(amr="otp")
