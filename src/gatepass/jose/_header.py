"""Protected-header checks shared by JWS and JWE (RFC 7515 §4.1, RFC 7516 §4.1)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final

from gatepass.errors import MalformedTokenError

__all__ = ["REGISTERED", "check_header_members"]

#: Header names defined by RFC 7515 §4.1, RFC 7516 §4.1 and RFC 7518 §4: never
#: allowed inside ``crit`` (RFC 7515 §4.1.11).
REGISTERED: Final = frozenset(
    {
        "alg",
        "enc",
        "zip",
        "jku",
        "jwk",
        "kid",
        "x5u",
        "x5c",
        "x5t",
        "x5t#S256",
        "typ",
        "cty",
        "crit",
        "epk",
        "apu",
        "apv",
        "iv",
        "tag",
        "p2s",
        "p2c",
    }
)


def check_header_members(
    header: Mapping[str, Any],
    string_members: Collection[str],
    registered: Collection[str] = REGISTERED,
) -> None:
    """Typed string members, and a well-formed ``crit`` (RFC 7515 §4.1.11).

    ``crit`` must be a non-empty list of distinct extension names, each present
    in the header and none a registered parameter. Whether the caller
    understands them is decided later, per call.
    """
    for name in string_members:
        if name in header and not isinstance(header[name], str):
            raise MalformedTokenError("The token header is invalid")
    if "crit" not in header:
        return
    crit = header["crit"]  # present means a non-empty list, even when null
    if (
        not isinstance(crit, list)
        or not crit
        or not all(isinstance(c, str) and c in header and c not in registered for c in crit)
        or len(set(crit)) != len(crit)
    ):
        raise MalformedTokenError("The token header's crit is invalid")
