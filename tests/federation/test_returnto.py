"""The return_to allow-list."""

from __future__ import annotations

import pytest

from gatepass.errors import ReturnToRefusedError
from gatepass.federation.returnto import checked_return_to, origin_of

ORIGINS = ("https://auth.example.com", "https://app.example.com:8443")


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/account?tab=1#x",
        "https://auth.example.com/",
        "https://APP.example.com:8443/dashboard",
    ],
)
def test_allowed(target: str) -> None:
    assert checked_return_to(target, origins=ORIGINS) == target


@pytest.mark.parametrize("target", [None, ""])
def test_none_is_the_root(target: str | None) -> None:
    assert checked_return_to(target, origins=ORIGINS) == "/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "https://app.example.com/",  # the port is part of the origin
        "http://auth.example.com/",  # so is the scheme
        "https://auth.example.com@evil.example/",
        "https://evil.example@auth.example.com/",
        "javascript:alert(1)",
        "data:text/html,x",
        "relative/path",
        "/ok\r\nSet-Cookie: x=1",
        "/\x00",
        "/" + "a" * 2048,
    ],
)
def test_refused(target: str) -> None:
    with pytest.raises(ReturnToRefusedError):
        checked_return_to(target, origins=ORIGINS)


def test_origin_of() -> None:
    assert origin_of("https://A.example:1/x?y") == "https://a.example:1"
    assert origin_of("ftp://a.example/") == ""
    assert origin_of("/path") == ""
