"""The one rule for reading a bearer token, shared by the server and gatepass.protect."""

from __future__ import annotations

import pytest

from gatepass.errors import InvalidTokenError, MissingTokenError
from gatepass.tokens.bearer import authorization_header, bearer_token


def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "headers": [(b"host", b"x"), *headers]}


def test_the_one_authorization_value_is_read_from_the_raw_headers() -> None:
    assert authorization_header(scope((b"authorization", b"Bearer abc"))) == "Bearer abc"
    assert authorization_header(scope()) is None
    assert authorization_header({"type": "http"}) is None
    latin = scope((b"authorization", "Bearer \xe9".encode("latin-1")))
    assert authorization_header(latin) == "Bearer \xe9"


def test_two_authorization_headers_count_as_neither() -> None:
    two = scope((b"authorization", b"Bearer a"), (b"authorization", b"Bearer a"))
    with pytest.raises(InvalidTokenError):
        authorization_header(two)


def test_a_bearer_token_is_taken_from_its_value() -> None:
    assert bearer_token("Bearer abc.def.ghi", 100) == "abc.def.ghi"
    assert bearer_token("bearer abc", 100) == "abc"  # the scheme is case-insensitive
    with pytest.raises(MissingTokenError):
        bearer_token(None, 100)


@pytest.mark.parametrize(
    "value",
    [
        "Basic abc",
        "Bearer",
        "Bearer ",
        "Bearer  abc",
        "Bearer a b",
        "Bearerabc",
        "Bearer " + "a" * 101,
    ],
)
def test_anything_else_is_an_invalid_token(value: str) -> None:
    with pytest.raises(InvalidTokenError):
        bearer_token(value, 100)
