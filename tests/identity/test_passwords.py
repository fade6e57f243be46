"""The policy for a chosen password, and its one normal form."""

from __future__ import annotations

import contextlib
import random
import time
import unicodedata

import pytest

from gatepass.errors import WeakPasswordError
from gatepass.identity.passwords import (
    COMMON,
    GUESSABLE,
    MAX_PASSWORD_LENGTH,
    STRENGTH_SAMPLE,
    TOO_LONG,
    TOO_SHORT,
    check_new_password,
    normalise_password,
    strength_sample,
)

EMAIL = "victim@example.com"


def refusal(password: str, email: str | None = EMAIL) -> str:
    with pytest.raises(WeakPasswordError) as caught:
        check_new_password(password, email=email)
    assert caught.value.code == "weak_password"
    return caught.value.message


@pytest.mark.parametrize(
    "password", ["12345678", "password", "qwertyuiop", "Password1", "PASSWORD1", "iloveyou"]
)
def test_common_passwords_are_refused_in_any_case(password: str) -> None:
    assert refusal(password) == COMMON


@pytest.mark.parametrize(
    ("password", "warning"),
    [
        (" " * 8, 'Repeats like "aaa" are easy to guess.'),
        (
            "zqzqzqzqzqzqzq",
            'Repeats like "abcabcabc" are only slightly harder to guess than "abc".',
        ),
        ("abcdefghijklm", 'Sequences like "abc" or "6543" are easy to guess.'),
    ],
)
def test_easy_passwords_are_refused_with_zxcvbns_warning(password: str, warning: str) -> None:
    assert refusal(password) == f"{GUESSABLE}: {warning}"


def test_a_password_made_of_the_email_is_refused() -> None:
    check_new_password("Victim@Example.com1", email=None)  # strong enough for a stranger
    assert refusal("Victim@Example.com1").startswith(GUESSABLE)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "a brand new password", "Tr0ub4dor&3 is my horse", "пароль-сильный"],
)
def test_strong_passwords_pass(password: str) -> None:
    check_new_password(password, email=EMAIL)


def test_length_is_counted_after_normalising() -> None:
    # Eight code points decomposed, seven once composed: too short.
    nfd = "e\u0301" * 4
    assert len(nfd) == 8
    assert refusal(nfd) == TOO_SHORT
    # 1024 ligatures are 2048 letters once normalised: too long.
    assert refusal("\ufb01" * MAX_PASSWORD_LENGTH) == TOO_LONG


def test_messages_never_repeat_the_password() -> None:
    for password in ("12345678", "zqzqzqzqzqzqzq", "abcdefghijklm", "Victim@Example.com1"):
        message = refusal(password)
        assert password.lower() not in message.lower()


def test_nfc_and_nfd_are_one_password() -> None:
    nfc = unicodedata.normalize("NFC", "Jos\u00e9 mañana café")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert normalise_password(nfc) == normalise_password(nfd) == nfc
    assert normalise_password("\uff30\uff41\uff53\uff53") == "Pass"  # fullwidth


L33T = "4@8({[<36!|1l7+05$2%9"


def test_the_strength_sample_is_bounded_in_length_and_l33t_variants() -> None:
    assert (
        strength_sample("correct horse battery staple " * 30)
        == ("correct horse battery staple " * 2)[:STRENGTH_SAMPLE]
    )
    sample = strength_sample(L33T * 40)
    assert 8 <= len(sample) < STRENGTH_SAMPLE
    assert L33T.startswith(sample)
    assert STRENGTH_SAMPLE <= 72  # zxcvbn refuses anything longer outright


def test_l33t_heavy_passwords_cost_little() -> None:
    """zxcvbn's worst case: symbols with many l33t readings (8 s for 32 of them, unbounded)."""
    rng = random.Random(7)
    started = time.perf_counter()
    for _ in range(10):
        password = "".join(rng.choice(L33T) for _ in range(MAX_PASSWORD_LENGTH))
        with contextlib.suppress(WeakPasswordError):
            check_new_password(password, email=EMAIL)
    assert time.perf_counter() - started < 10  # about 1 s here; unbounded, over a minute
