"""Strict JSON for JOSE headers and claims.

RFC 7515 §5.2 and RFC 7519 §4 let a parser either reject duplicate member
names or keep the last; keeping the last is how two parsers come to disagree
about one token, so gatepass rejects them. Input must be UTF-8 (RFC 8259 §8.1),
``NaN``/``Infinity`` (and numbers that overflow to them, such as ``1e400``)
are refused, and the top level must be an object.

The fast path parses with orjson and proves there was no duplicate by
re-serialising: a duplicate member always makes the re-serialisation shorter
than the input. Only input that is not in compact canonical form takes the
slower path through the standard library's scanner with a duplicate check.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

from gatepass.errors import MalformedTokenError

__all__ = ["dumps", "loads", "loads_object"]


def dumps(obj: Any) -> bytes:
    """Compact JSON, UTF-8. Non-str keys and non-JSON types are refused."""
    try:
        return orjson.dumps(obj)
    except TypeError as exc:
        raise TypeError("Value is not JSON serialisable") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise MalformedTokenError("Duplicate member name in JSON")
    return obj


def _refuse_constant(_name: str) -> Any:
    raise MalformedTokenError("Invalid JSON")


def _finite_float(text: str) -> float:
    # 1e400 is valid JSON that overflows to inf (an exp that never comes):
    # orjson refuses it, so it lands here; NaN/Infinity literals are constants.
    value = float(text)
    if not math.isfinite(value):
        raise MalformedTokenError("Invalid JSON")
    return value


def loads_object(data: bytes, what: str = "JSON") -> dict[str, Any]:
    """Parse ``data`` as one JSON object, strictly. Errors never echo the input."""
    obj = loads(data, what)
    if not isinstance(obj, dict):
        raise MalformedTokenError(f"{what} is not a JSON object")
    return obj


def loads(data: bytes, what: str = "JSON") -> Any:
    """Parse ``data`` as one JSON value of any type, by the same strict rules."""
    try:
        obj: Any = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _slow_loads(data, what)
    if orjson.dumps(obj) != data:
        return _slow_loads(data, what)
    return obj


def _slow_loads(data: bytes, what: str) -> Any:
    try:
        text = data.decode("utf-8", errors="strict")
        obj = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except MalformedTokenError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedTokenError(f"{what} is not valid JSON") from None
    # Lone surrogates (\ud800) decode in the stdlib but are not Unicode text.
    try:
        orjson.dumps(obj)
    except TypeError:
        raise MalformedTokenError(f"{what} is not valid JSON") from None
    return obj
