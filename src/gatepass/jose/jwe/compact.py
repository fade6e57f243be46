"""The compact JWE serialisation (RFC 7516 §7.1): five base64url segments.

Parsing is as strict as compact JWS: sizes are capped before any decoding,
base64url must be canonical and unpadded, the protected header is strict JSON
(no duplicate names) with typed members. A three-segment token (a JWS) is
refused here, so a JWS can never reach decryption (the CVE-2022-3102 and
CVE-2023-51774 confusion class).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

from gatepass.errors import MalformedTokenError, TokenTooLargeError, UnsupportedHeaderError
from gatepass.jose._b64 import b64decode, b64encode
from gatepass.jose._header import check_header_members
from gatepass.jose._json import dumps, loads_object
from gatepass.jose.limits import DEFAULT_LIMITS, Limits

__all__ = ["Parts", "encode_header", "join", "parse_header", "split"]

_COMPACT: Final = re.compile(
    r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)"
)
_STRING_MEMBERS: Final = (
    "alg",
    "enc",
    "zip",
    "kid",
    "typ",
    "cty",
    "apu",
    "apv",
    "iv",
    "tag",
    "p2s",
)
# Encrypted key, IV and tag are short by nature: RSA-8192 is the largest key a
# recipient could hold (1024 bytes); IVs and tags are at most 32 bytes.
_MAX_KEY_SEGMENT: Final = 1366
_MAX_SMALL_SEGMENT: Final = 64


@dataclass(frozen=True, slots=True)
class Parts:
    """The five segments of a compact JWE, the header still encoded."""

    protected: str
    encrypted_key: str
    iv: str
    ciphertext: str
    tag: str


def _b64_len(decoded_cap: int) -> int:
    return (decoded_cap * 4 + 2) // 3


def split(token: str | bytes, limits: Limits = DEFAULT_LIMITS) -> Parts:
    """Check the compact form and the sizes; return the five segments."""
    if isinstance(token, bytes | bytearray):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedTokenError("The token is not a compact JWE") from None
    if not isinstance(token, str):
        raise MalformedTokenError("The token must be a string")
    if len(token) > limits.max_token_bytes:
        raise TokenTooLargeError()
    match = _COMPACT.fullmatch(token)
    if match is None:
        if token.count(".") == 2:
            raise MalformedTokenError("The token is a JWS, not a JWE; it cannot be decrypted")
        raise MalformedTokenError("The token is not a compact JWE")
    parts = Parts(*match.groups())
    if len(parts.protected) > _b64_len(limits.max_header_bytes):
        raise TokenTooLargeError("The token header is larger than allowed")
    if len(parts.ciphertext) > _b64_len(limits.max_payload_bytes):
        raise TokenTooLargeError("The token payload is larger than allowed")
    if len(parts.encrypted_key) > _MAX_KEY_SEGMENT or max(len(parts.iv), len(parts.tag)) > (
        _MAX_SMALL_SEGMENT
    ):
        raise TokenTooLargeError("A token segment is larger than allowed")
    return parts


@lru_cache(maxsize=256)
def _cached_header(h64: str) -> Mapping[str, Any]:
    return MappingProxyType(_check_header(h64))


def _check_header(h64: str) -> dict[str, Any]:
    header = loads_object(b64decode(h64, checked_alphabet=True), "The token header")
    if not isinstance(header.get("alg"), str) or not isinstance(header.get("enc"), str):
        raise MalformedTokenError("The token header lacks alg or enc; it is not a JWE header")
    check_header_members(header, _STRING_MEMBERS)
    if "epk" in header and not isinstance(header["epk"], dict):
        raise MalformedTokenError("The token header is invalid")
    p2c = header.get("p2c")
    if "p2c" in header and (not isinstance(p2c, int) or isinstance(p2c, bool)):
        raise MalformedTokenError("The token header is invalid")
    if "b64" in header:
        raise UnsupportedHeaderError("b64 is a JWS header parameter, not a JWE one")
    return header


def parse_header(h64: str) -> Mapping[str, Any]:
    """The checked protected header (read-only; cached by its exact text)."""
    return _cached_header(h64)


def encode_header(header: Mapping[str, Any]) -> str:
    """The protected header as the base64url text that is also the AAD."""
    return b64encode(dumps(header))


def join(protected: str, encrypted_key: bytes, iv: bytes, ciphertext: bytes, tag: bytes) -> str:
    """The compact serialisation of one JWE."""
    return ".".join(
        (protected, b64encode(encrypted_key), b64encode(iv), b64encode(ciphertext), b64encode(tag))
    )
