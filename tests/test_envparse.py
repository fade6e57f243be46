"""gatepass.envparse: each parser alone, and the field marker that names a setting's parser."""

from __future__ import annotations

import dataclasses

import pytest

from gatepass.envparse import (
    parse_bool,
    parse_duration,
    parse_int,
    parse_list,
    parse_lower,
    parse_seconds,
    parse_secret,
    parse_str,
    parser_of,
    setting,
)
from gatepass.errors import ConfigError
from gatepass.secret import Secret

VAR = "GATEPASS_SOMETHING"


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0", 0), ("42", 42), ("+7", 7), ("-3", -3), ("9" * 18, int("9" * 18))],
)
def test_parse_int(raw: str, value: int) -> None:
    assert parse_int(raw, VAR) == value


@pytest.mark.parametrize("raw", ["", "eighty", "1.5", "1e3", "9" * 19, "\u0661", "\uff11", "1 "])
def test_parse_int_refuses(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_int(raw, VAR)
    assert caught.value.message == f"{VAR} must be an integer"


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("900", 900),
        ("10s", 10),
        ("15m", 900),
        ("12h", 43200),
        ("7d", 604800),
        ("7D", 604800),
        ("15 m", 900),
        ("-5", -5),  # the sign is the setting's check (at least 1, at least 0)
    ],
)
def test_parse_duration(raw: str, seconds: int) -> None:
    assert parse_duration(raw, VAR) == seconds


@pytest.mark.parametrize("raw", ["1 week", "1.5d", "15mm", "m", "7w", "\u0663", "\uff11\uff15m"])
def test_parse_duration_refuses(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_duration(raw, "--ttl")
    assert caught.value.message == "--ttl must be a duration in seconds, or like 15m, 12h, 7d"


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "On"])
def test_parse_bool_true(raw: str) -> None:
    assert parse_bool(raw, VAR) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "OFF"])
def test_parse_bool_false(raw: str) -> None:
    assert parse_bool(raw, VAR) is False


@pytest.mark.parametrize("raw", ["2", "maybe", "y", "t", ""])
def test_parse_bool_refuses(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_bool(raw, VAR)
    assert caught.value.message == f"{VAR} must be true or false"


@pytest.mark.parametrize(
    ("raw", "value"), [("0.5", 0.5), ("2", 2.0), ("123456.123456", 123456.123456)]
)
def test_parse_seconds(raw: str, value: float) -> None:
    assert parse_seconds(raw, VAR) == value


@pytest.mark.parametrize("raw", ["-1", "1e3", "nan", "inf", ".5", "5.", "1234567", "\u0660.5"])
def test_parse_seconds_refuses(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_seconds(raw, VAR)
    assert caught.value.message == f"{VAR} must be a number of seconds, like 0.5 or 5"


def test_parse_str_lower_secret_and_list() -> None:
    assert parse_str("Mixed Case", VAR) == "Mixed Case"
    assert parse_lower("DEBUG", VAR) == "debug"
    secret = parse_secret("hunter2", VAR)
    assert isinstance(secret, Secret)
    assert secret.get() == "hunter2"
    assert parse_list("10.0.0.1, 10.0.0.0/8,,  ", VAR) == ("10.0.0.1", "10.0.0.0/8")
    assert parse_list(",", VAR) == ()


def test_messages_never_echo_the_value() -> None:
    for parse in (parse_int, parse_duration, parse_bool, parse_seconds):
        with pytest.raises(ConfigError) as caught:
            parse("hunter2-value", VAR)
        assert "hunter2" not in caught.value.message


def test_setting_declares_a_field_with_its_parser() -> None:
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Example:
        ttl: int = setting(900, parse_duration)
        flag: bool | None = setting(None, parse_bool)
        plain: str = "x"

    ttl, flag, plain = dataclasses.fields(Example)
    assert Example().ttl == 900
    assert Example().flag is None
    assert parser_of(ttl) is parse_duration
    assert parser_of(flag) is parse_bool
    with pytest.raises(KeyError):
        parser_of(plain)
