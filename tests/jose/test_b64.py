"""Strict base64url (RFC 7515 §2): unpadded, no whitespace, canonical only."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatepass.errors import MalformedTokenError
from gatepass.jose._b64 import b64decode, b64encode, is_b64url


@given(st.binary(max_size=200))
def test_round_trip_matches_the_standard_library(data: bytes) -> None:
    encoded = b64encode(data)
    assert encoded == base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert b64decode(encoded) == data
    assert b64decode(encoded.encode()) == data
    assert is_b64url(encoded)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("YQ==", id="padding"),
        pytest.param("YWI=", id="single-pad"),
        pytest.param("YW=", id="partial-pad"),
        pytest.param("YW Jj", id="inner-space"),
        pytest.param(" YWJj", id="leading-space"),
        pytest.param("YWJj\n", id="trailing-newline"),
        pytest.param("YW\tJj", id="tab"),
        pytest.param("+/8", id="standard-alphabet"),
        pytest.param("YW.J", id="dot"),
        pytest.param("YWJj!", id="punctuation"),
        pytest.param("YWJjé", id="non-ascii"),
        pytest.param("Y", id="length-1-mod-4"),
        pytest.param("YWJjZ", id="length-5"),
    ],
)
def test_refuses_non_strict_encodings(text: str) -> None:
    with pytest.raises(MalformedTokenError):
        b64decode(text)
    assert not is_b64url(text) or len(text) % 4 == 1


@pytest.mark.parametrize(
    ("canonical", "other"),
    [
        pytest.param("YQ", "YR", id="one-byte-low-bit"),
        pytest.param("YQ", "YX", id="one-byte-high-unused"),
        pytest.param("YWI", "YWJ", id="two-bytes"),
        pytest.param("AA", "AB", id="zero"),
        pytest.param("__8", "__9", id="url-alphabet"),
    ],
)
def test_refuses_non_zero_trailing_bits(canonical: str, other: str) -> None:
    # Both spell the same bytes to a lenient decoder; only the canonical one is accepted.
    padded = other + "=" * (-len(other) % 4)
    assert base64.urlsafe_b64decode(padded) == b64decode(canonical)
    with pytest.raises(MalformedTokenError):
        b64decode(other)


def test_every_non_canonical_final_character_is_refused() -> None:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for prefix, unused_bits in (("A", 4), ("AA", 2)):
        for index, char in enumerate(alphabet):
            text = prefix + char
            if index % (1 << unused_bits) == 0:
                assert b64encode(b64decode(text)) == text
            else:
                with pytest.raises(MalformedTokenError):
                    b64decode(text)


def test_empty_is_empty() -> None:
    assert b64decode("") == b""
    assert b64encode(b"") == ""


def test_non_ascii_bytes_refused() -> None:
    with pytest.raises(MalformedTokenError):
        b64decode(b"YW\xffJ")


def test_error_does_not_echo_input() -> None:
    with pytest.raises(MalformedTokenError) as info:
        b64decode("SECRETSECRET==")
    assert "SECRET" not in str(info.value)
