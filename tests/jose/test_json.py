"""Strict JSON for headers and claims: duplicates, UTF-8, NaN, top-level objects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gatepass.errors import MalformedTokenError
from gatepass.jose._json import dumps, loads_object

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=6))
def test_round_trip(obj: dict[str, Any]) -> None:
    assert loads_object(dumps(obj)) == obj
    # Non-canonical spellings of the same object (the slow path) parse alike.
    assert loads_object(json.dumps(obj, indent=2).encode()) == obj
    assert loads_object(json.dumps(obj, ensure_ascii=True).encode()) == obj


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'{"a":1,"a":2}', id="duplicate-compact"),
        pytest.param(b'{"a": 1, "a": 1}', id="duplicate-same-value-spaced"),
        pytest.param(b'{"alg":"HS256","alg":"none"}', id="duplicate-alg"),
        pytest.param(b'{"x":{"b":1,"b":2}}', id="duplicate-nested"),
        pytest.param(b'{"a":1,"\\u0061":2}', id="duplicate-escaped"),
    ],
)
def test_duplicate_member_names_refused(data: bytes) -> None:
    with pytest.raises(MalformedTokenError):
        loads_object(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'{"a":"\xff"}', id="invalid-utf8"),
        pytest.param(b'{"a":"\xc3"}', id="truncated-utf8"),
        pytest.param(b'{"a":"\xed\xa0\x80"}', id="encoded-surrogate"),
        pytest.param(b'{"a":"\\ud800"}', id="escaped-lone-surrogate"),
        pytest.param(b'\xef\xbb\xbf{"a":1}', id="bom"),
        pytest.param('{"a":1}'.encode("utf-16"), id="utf16"),
        pytest.param(b'{"a":NaN}', id="nan"),
        pytest.param(b'{"a":Infinity}', id="infinity"),
        pytest.param(b'{"a":-Infinity}', id="minus-infinity"),
        pytest.param(b'{"exp":1e400}', id="overflows-to-infinity"),
        pytest.param(b'{"nbf":-1E999}', id="overflows-to-minus-infinity"),
        pytest.param(b'{"a":[{"b":1e309}]}', id="nested-overflow"),
        pytest.param(b"[1,2]", id="array"),
        pytest.param(b'"text"', id="string"),
        pytest.param(b"1", id="number"),
        pytest.param(b"null", id="null"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"a":1', id="truncated"),
        pytest.param(b'{"a":1}x', id="trailing-garbage"),
        pytest.param(b'{"a":1,}', id="trailing-comma"),
        pytest.param(b"{'a':1}", id="single-quotes"),
        pytest.param(b'{"a":01}', id="leading-zero"),
    ],
)
def test_invalid_json_refused(data: bytes) -> None:
    with pytest.raises(MalformedTokenError) as info:
        loads_object(data)
    assert str(info.value).startswith("malformed_token: ")


def test_deep_nesting_is_a_clean_error() -> None:
    data = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(MalformedTokenError):
        loads_object(data)


def test_error_message_names_what_not_the_input() -> None:
    with pytest.raises(MalformedTokenError) as info:
        loads_object(b'{"SECRET-VALUE":1,"SECRET-VALUE":2}', "The token header")
    assert "SECRET" not in str(info.value)
    with pytest.raises(MalformedTokenError) as info:
        loads_object(b'["SECRET-VALUE"]', "The token header")
    assert "SECRET" not in str(info.value)
    assert "header" in str(info.value)


def test_dumps_is_compact_and_refuses_non_json() -> None:
    assert dumps({"a": [1, "é"]}) == '{"a":[1,"é"]}'.encode()
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({1: "non-str key"})
