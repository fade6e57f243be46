"""The wire form of an entry (``gatepass.revocation.wire``): strict both ways."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatepass.revocation.wire import (
    DEFAULT_CHANNEL,
    channel_for,
    entry_from_json,
    entry_from_message,
    entry_to_json,
)
from gatepass.store.records import Revocation

NOW = 1_800_000_000.0


def test_wire_round_trip() -> None:
    entry = Revocation(5, "user", "u1", NOW + 0.25, NOW + 0.25, NOW + 900)
    wire = json.loads(json.dumps(entry_to_json(entry)))
    assert wire == {
        "seq": 5,
        "kind": "user",
        "subject": "u1",
        "not_before": NOW + 0.25,
        "expires_at": NOW + 900,
    }
    assert entry_from_json(wire) == entry


def test_wire_accepts_integer_times() -> None:
    entry = entry_from_json(
        {"seq": 1, "kind": "jti", "subject": "j", "not_before": 10, "expires_at": 20}
    )
    assert (entry.not_before, entry.expires_at) == (10.0, 20.0)
    assert isinstance(entry.not_before, float)


GOOD = {"seq": 1, "kind": "session", "subject": "s", "not_before": 1.0, "expires_at": 2.0}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "x",
        {},
        {k: v for k, v in GOOD.items() if k != "seq"},
        {**GOOD, "extra": 1},
        {**GOOD, "seq": "1"},
        {**GOOD, "seq": True},
        {**GOOD, "seq": 0},
        {**GOOD, "seq": 1.0},
        {**GOOD, "kind": "everyone"},
        {**GOOD, "kind": 1},
        {**GOOD, "subject": ""},
        {**GOOD, "subject": 5},
        {**GOOD, "subject": "x" * 257},
        {**GOOD, "not_before": "1"},
        {**GOOD, "not_before": False},
        {**GOOD, "expires_at": float("nan")},
        {**GOOD, "expires_at": float("inf")},
        {**GOOD, "expires_at": -1},
        {**GOOD, "expires_at": None},
    ],
)
def test_wire_refuses_anything_unexpected(data: object) -> None:
    with pytest.raises(ValueError):
        entry_from_json(data)


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_WIRE_LIKE = st.fixed_dictionaries(
    {},
    optional={k: _SCALARS | st.sampled_from(["session", "user", "jti"]) for k in GOOD},
)
_JSON = st.recursive(
    _SCALARS | _WIRE_LIKE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@given(_JSON)
def test_wire_parsing_never_fails_otherwise(data: object) -> None:
    try:
        entry = entry_from_json(data)
    except ValueError:
        return
    assert entry_from_json(entry_to_json(entry)) == entry


def test_a_redis_message_is_one_entry_as_text() -> None:
    entry = Revocation(7, "session", "s-1", NOW, NOW, NOW + 900)
    payload = orjson.dumps(entry_to_json(entry))
    assert entry_from_message(payload) == entry
    assert entry_from_message(payload.decode()) == entry
    for bad in (b"not json", "[]", None, 7, memoryview(payload)):
        with pytest.raises(ValueError):
            entry_from_message(bad)


def test_the_channel_is_named_after_the_key_prefix() -> None:
    assert channel_for("blue") == "blue:revocations"
    assert DEFAULT_CHANNEL == "gatepass:revocations"
