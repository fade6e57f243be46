"""JWT claims validation as a pure function of (claims, rules, now)."""

from __future__ import annotations

from typing import Any

import pytest

from gatepass.errors import (
    ClaimError,
    MissingClaimError,
    TokenExpiredError,
    TokenNotYetValidError,
)
from gatepass.jose.claims import ClaimRules, validate_claims

NOW = 1_700_000_000.0
OK = {"exp": NOW + 60}


def check(claims: dict[str, Any], now: float = NOW, **rules: Any) -> None:
    # ClaimRules holds expected values as sets; decode() builds them from a
    # string or a list (tested in test_jwt.py), so do the same here.
    for name in ("audience", "issuer"):
        if isinstance(rules.get(name), str):
            rules[name] = frozenset({rules[name]})
        elif isinstance(rules.get(name), list):
            rules[name] = frozenset(rules[name])
    validate_claims(claims, ClaimRules(**rules), now)


def test_exp_required_by_default_and_disabled_only_by_name() -> None:
    with pytest.raises(MissingClaimError) as info:
        check({})
    assert info.value.claim == "exp"
    assert info.value.code == "claim_missing"
    check({}, require_exp=False)


def test_exp() -> None:
    check({"exp": NOW + 1})
    with pytest.raises(TokenExpiredError) as info:
        check({"exp": NOW})
    assert info.value.claim == "exp"
    assert info.value.code == "token_expired"
    with pytest.raises(TokenExpiredError):
        check({"exp": NOW - 10}, leeway=10)
    check({"exp": NOW - 10}, leeway=11)
    check({"exp": NOW - 10}, verify_exp=False)


@pytest.mark.parametrize("value", ["1700000060", None, True, [NOW], {"t": NOW}])
def test_time_claims_must_be_numbers(value: Any) -> None:
    for name in ("exp", "nbf", "iat"):
        with pytest.raises(ClaimError) as info:
            check({**OK, name: value})
        assert info.value.claim == name


def test_nbf() -> None:
    check({**OK, "nbf": NOW})
    with pytest.raises(TokenNotYetValidError) as info:
        check({**OK, "nbf": NOW + 5})
    assert info.value.claim == "nbf"
    check({**OK, "nbf": NOW + 5}, leeway=5)
    check({**OK, "nbf": NOW + 5}, verify_nbf=False)


def test_iat_in_the_future_beyond_leeway() -> None:
    check({**OK, "iat": NOW})
    with pytest.raises(TokenNotYetValidError) as info:
        check({**OK, "iat": NOW + 30})
    assert info.value.claim == "iat"
    check({**OK, "iat": NOW + 30}, leeway=30)
    check({**OK, "iat": NOW + 30}, verify_iat=False)


def test_max_age() -> None:
    check({**OK, "iat": NOW - 100}, max_age=100)
    with pytest.raises(TokenExpiredError):
        check({**OK, "iat": NOW - 101}, max_age=100)
    with pytest.raises(MissingClaimError) as info:
        check(OK, max_age=100)
    assert info.value.claim == "iat"


@pytest.mark.parametrize(
    "iss",
    [
        "https://issuer.example.evil",
        "https://issuer.exampl",
        "HTTPS://ISSUER.EXAMPLE",
        "https://issuer.example/",
        " https://issuer.example",
        "issuer",
        ["https://issuer.example"],
    ],
)
def test_iss_is_an_exact_match(iss: Any) -> None:
    check({**OK, "iss": "https://issuer.example"}, issuer="https://issuer.example")
    with pytest.raises(ClaimError) as info:
        check({**OK, "iss": iss}, issuer="https://issuer.example")
    assert info.value.claim == "iss"


def test_iss_required_when_expected_and_one_of_several() -> None:
    with pytest.raises(MissingClaimError):
        check(OK, issuer="a")
    check({**OK, "iss": "b"}, issuer=["a", "b"])
    with pytest.raises(ClaimError):
        check({**OK, "iss": "ab"}, issuer=["a", "b"])
    check({**OK, "iss": "anything"})


def test_aud() -> None:
    check({**OK, "aud": "api"}, audience="api")
    check({**OK, "aud": ["other", "api"]}, audience="api")
    check({**OK, "aud": "api"}, audience=["web", "api"])
    for aud in ("apis", "ap", ["other"], [], "API"):
        with pytest.raises(ClaimError) as info:
            check({**OK, "aud": aud}, audience="api")
        assert info.value.claim == "aud"
    with pytest.raises(ClaimError):
        check({**OK, "aud": "a"}, audience="api")  # not a substring match
    not_strings: list[Any] = [1, None, [1], {"a": 1}, ["api", 2]]
    for wrong in not_strings:
        with pytest.raises(ClaimError):
            check({**OK, "aud": wrong}, audience="api")


def test_aud_required_when_expected() -> None:
    with pytest.raises(MissingClaimError) as info:
        check(OK, audience="api")
    assert info.value.claim == "aud"


def test_aud_present_but_not_expected_is_refused() -> None:
    with pytest.raises(ClaimError):
        check({**OK, "aud": "api"})
    check({**OK, "aud": "api"}, verify_aud=False)


def test_required_claims() -> None:
    check({**OK, "sub": "a", "jti": "b"}, required=frozenset({"sub", "jti"}))
    with pytest.raises(MissingClaimError) as info:
        check({**OK, "sub": "a"}, required=frozenset({"sub", "jti"}))
    assert info.value.claim == "jti"


def test_subject_exact_and_types() -> None:
    check({**OK, "sub": "alice"}, subject="alice")
    with pytest.raises(ClaimError):
        check({**OK, "sub": "alice2"}, subject="alice")
    with pytest.raises(MissingClaimError):
        check(OK, subject="alice")
    wrong: list[Any] = [1, None, ["a"], True]
    for name in ("sub", "jti"):
        for value in wrong:
            with pytest.raises(ClaimError) as info:
                check({**OK, "sub": "a", "jti": "b", name: value})
            assert info.value.claim == name


def test_claims_are_not_changed() -> None:
    claims = {**OK, "aud": ["a"], "iss": "i"}
    before = {**claims, "aud": ["a"]}
    check(claims, audience="a", issuer="i")
    assert claims == before
