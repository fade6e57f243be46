"""Environment strings to typed values, and the field marker that names a setting's parser.

Every parser takes the raw value (stripped, never empty) and the variable's
name, and raises :class:`ConfigError` naming the variable without echoing the
value. Numbers are ASCII digits only: ``int()`` would also take Arabic-Indic or
fullwidth digits. ``setting(default, parser)`` declares a dataclass field
together with the parser that reads it; :func:`parser_of` gets it back.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

from gatepass.errors import ConfigError
from gatepass.secret import Secret

__all__ = [
    "Parser",
    "parse_bool",
    "parse_duration",
    "parse_int",
    "parse_list",
    "parse_lower",
    "parse_seconds",
    "parse_secret",
    "parse_str",
    "parser_of",
    "setting",
]

T = TypeVar("T")
#: ``parser(raw, variable) -> value``
Parser = Callable[[str, str], T]

_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PARSER: Final = "gatepass.envparse.parser"


def parse_int(raw: str, variable: str) -> int:
    """A whole number of at most 18 digits, optionally signed."""
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", raw):
        raise ConfigError(f"{variable} must be an integer")
    return int(raw)


def parse_duration(raw: str, variable: str) -> int:
    """Seconds: ``900``, ``15m``, ``12h``, ``7d``, ``10s``."""
    match = re.fullmatch(r"([+-]?[0-9]{1,12}) *([smhd]?)", raw.lower())
    if match is None:
        raise ConfigError(f"{variable} must be a duration in seconds, or like 15m, 12h, 7d")
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


def parse_bool(raw: str, variable: str) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off``, in any case."""
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{variable} must be true or false")


def parse_seconds(raw: str, variable: str) -> float:
    """Seconds as a decimal number (``0.5``, ``2``)."""
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,6})?", raw):
        raise ConfigError(f"{variable} must be a number of seconds, like 0.5 or 5")
    return float(raw)


def parse_str(raw: str, variable: str) -> str:
    """The value as it is."""
    return raw


def parse_lower(raw: str, variable: str) -> str:
    """The value in lower case."""
    return raw.lower()


def parse_secret(raw: str, variable: str) -> Secret:
    """The value as a :class:`Secret` (its strength is the setting's own check)."""
    return Secret(raw)


def parse_list(raw: str, variable: str) -> tuple[str, ...]:
    """Comma-separated items, each stripped; empty items dropped."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def setting(default: T, parser: Parser[T]) -> T:
    """A dataclass field with ``default``, read from the environment by ``parser``."""
    return dataclasses.field(default=default, metadata={_PARSER: parser})


def parser_of(field: dataclasses.Field[Any]) -> Parser[Any]:
    """The parser ``setting`` declared for ``field`` (KeyError for a field without one)."""
    return cast(Parser[Any], field.metadata[_PARSER])
