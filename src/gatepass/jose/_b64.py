"""Strict base64url (RFC 7515 §2): no padding, no whitespace, canonical only."""

from __future__ import annotations

import binascii
import re

from gatepass.errors import MalformedTokenError

__all__ = ["b64decode", "b64decode_segment", "b64encode", "is_b64url"]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# For the last character of a segment whose length is 2 or 3 mod 4, the bits
# that carry no data must be zero, else two spellings decode to the same bytes.
_CANONICAL_LAST = (
    "",
    "",
    "".join(c for i, c in enumerate(_ALPHABET) if i % 16 == 0),
    "".join(c for i, c in enumerate(_ALPHABET) if i % 4 == 0),
)
_PAD = ("", "", "==", "=")
_a2b = binascii.a2b_base64
_b2a = binascii.b2a_base64
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64encode(data: bytes) -> str:
    """Encode ``data`` as unpadded base64url text."""
    return _b2a(data, newline=False).rstrip(b"=").translate(_TO_URLSAFE).decode("ascii")


def is_b64url(text: str) -> bool:
    """True when ``text`` holds only base64url characters (no padding)."""
    return _B64URL.fullmatch(text) is not None


def b64decode(text: str | bytes, *, checked_alphabet: bool = False) -> bytes:
    """Decode unpadded, canonical base64url; anything else raises MalformedTokenError.

    ``checked_alphabet`` skips the regex scan when the caller has already made
    sure the text holds no ``+``, ``/`` or ``=`` (the compact JWS fast path):
    strict decoding then refuses every other character outside the alphabet.
    """
    if not isinstance(text, str):
        try:
            text = bytes(text).decode("ascii")
        except (UnicodeDecodeError, TypeError):
            raise MalformedTokenError("Invalid base64url encoding") from None
    if not checked_alphabet and _B64URL.fullmatch(text) is None:
        raise MalformedTokenError("Invalid base64url encoding")
    return b64decode_segment(text)


def b64decode_segment(text: str) -> bytes:
    """``b64decode`` of a compact-token segment: text already known to hold no
    ``+``, ``/`` or ``=`` (``jws.split`` checks that for the whole token)."""
    rem = len(text) % 4
    if rem and (rem == 1 or text[-1] not in _CANONICAL_LAST[rem]):
        raise MalformedTokenError("Invalid base64url encoding")
    try:
        return _a2b(text.replace("-", "+").replace("_", "/") + _PAD[rem], strict_mode=True)
    except (binascii.Error, ValueError):  # non-alphabet or non-ASCII characters
        raise MalformedTokenError("Invalid base64url encoding") from None
