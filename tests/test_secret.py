"""gatepass.secret: the redacted Secret, and the strength rules a secret must pass."""

from __future__ import annotations

import math
import secrets

import pytest

from gatepass.errors import ConfigError
from gatepass.secret import (
    MIN_SECRET_BYTES,
    MIN_SECRET_ENTROPY_BITS,
    Secret,
    check_secret_strength,
    entropy_bits,
)

STRONG = secrets.token_urlsafe(32)


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32)])
def test_random_secrets_pass(make: object) -> None:
    for _ in range(200):
        value = make()  # type: ignore[operator]
        check_secret_strength(value, "GATEPASS_JWT_SECRET")


def test_secret_redacts_itself() -> None:
    secret = Secret(STRONG)
    assert repr(secret) == "Secret('**********')"
    assert str(secret) == "Secret('**********')"
    assert f"{secret}" == "Secret('**********')"
    assert secret.get() == STRONG
    assert secret == Secret(STRONG)
    assert secret != Secret(STRONG + "x")
    assert STRONG not in repr([secret])


def test_secret_hashes_by_value_and_is_not_equal_to_its_string() -> None:
    assert hash(Secret(STRONG)) == hash(Secret(STRONG))
    assert len({Secret(STRONG), Secret(STRONG)}) == 1
    assert Secret(STRONG) != STRONG


def test_the_thresholds() -> None:
    assert (MIN_SECRET_BYTES, MIN_SECRET_ENTROPY_BITS) == (32, 128)


@pytest.mark.parametrize(
    ("value", "bits"),
    [
        ("", 0.0),
        ("a", 0.0),
        ("a" * 64, 0.0),
        ("ab", 2.0),
        ("abcd", 8.0),
        ("aabb", 4.0),
        ("0123456789abcdef" * 2, 128.0),
    ],
)
def test_entropy_bits_is_character_entropy_times_length(value: str, bits: float) -> None:
    assert math.isclose(entropy_bits(value), bits, abs_tol=1e-9)


def test_entropy_bits_ignores_order() -> None:
    assert entropy_bits("abcabc") == entropy_bits("aabbcc")


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ("changeme", "the key is a well-known example secret"),
        ("tiny-but-random-Xq9", "the key must be at least 32 bytes"),
        ("ab" * 32, "the key looks low-entropy"),
        ("ghijklmnopqrstuv" * 2, "the key looks low-entropy"),  # a run, though 128 bits
    ],
)
def test_check_secret_strength_names_the_variable_it_is_given(value: str, start: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_secret_strength(value, "the key")
    assert caught.value.message.startswith(start)
    assert value not in caught.value.message
