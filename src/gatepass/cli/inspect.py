"""Reading a token WITHOUT verifying it: parts, header, payload, times.

A compact JWS (three parts) shows its header and payload: base64url is not
encryption. A compact JWE (five parts) shows only its protected header and the
sizes of its parts; the payload needs the key. ``decrypt`` opens a JWE with a
key the caller holds and reads the nested JWS inside, still unverified.

The parsing is the JOSE core's own (strict base64url and JSON, checked header
members) with roomier size caps, so an oversized token can still be shown
and audited instead of refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from gatepass.errors import AlgorithmNotAllowedError, MalformedTokenError
from gatepass.jose import Key, KeySet, Limits, jws
from gatepass.jose._b64 import b64decode
from gatepass.jose._json import loads_object
from gatepass.jose.jwe import ENCRYPTIONS, KEY_ALGORITHMS, compact, decrypt

__all__ = [
    "INSPECT_LIMITS",
    "TIME_CLAIMS",
    "Inspection",
    "decrypt_token",
    "inspect_token",
    "parts_summary",
]

#: Caps for inspection: far above what a server accepts (8 KiB), still bounded.
INSPECT_LIMITS: Final = Limits(
    max_token_bytes=256 * 1024, max_header_bytes=64 * 1024, max_payload_bytes=256 * 1024
)
TIME_CLAIMS: Final = ("exp", "nbf", "iat")
_JWE_PARTS: Final = ("protected header", "encrypted key", "iv", "ciphertext", "tag")


@dataclass(frozen=True, slots=True)
class Inspection:
    """What could be read from one token (nothing here is verified)."""

    kind: Literal["jws", "jwe"]
    segments: tuple[str, ...]
    header: dict[str, Any]
    claims: dict[str, Any] | None = None
    payload_text: str | None = None
    decrypted: bool = False
    nested: Inspection | None = None

    @property
    def size(self) -> int:
        return sum(len(s) for s in self.segments) + len(self.segments) - 1

    @property
    def readable_claims(self) -> dict[str, Any] | None:
        """The claims, from the nested JWS when this JWE was decrypted."""
        return self.nested.claims if self.nested is not None else self.claims


def _payload(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return loads_object(data, "The token payload"), None
    except MalformedTokenError:
        return None, data.decode("utf-8", "replace")


def inspect_token(token: str) -> Inspection:
    """Split and read ``token``; ``MalformedTokenError`` when it is neither JWS nor JWE."""
    dots = token.count(".")
    if dots == 2:
        h64, p64, s64 = jws.split(token, INSPECT_LIMITS)
        header = jws.parse_header(h64)
        claims, text = _payload(b64decode(p64, checked_alphabet=True))
        return Inspection("jws", (h64, p64, s64), header, claims, text)
    if dots == 4:
        parts = compact.split(token, INSPECT_LIMITS)
        header = dict(compact.parse_header(parts.protected))
        return Inspection("jwe", dataclasses.astuple(parts), header)
    raise MalformedTokenError(
        "The token is neither a compact JWS (three parts) nor a compact JWE (five parts)"
    )


def decrypt_token(token: str, key: Key | KeySet) -> Inspection:
    """Decrypt a JWE with ``key`` and read what it holds (a nested JWS is split too).

    The token's own ``alg``/``enc`` are allowed (the caller chose the key);
    PBES2 stays refused, ``zip`` is inflated up to the core's cap.
    """
    outer = inspect_token(token)
    if outer.kind != "jwe":
        raise MalformedTokenError("Only a JWE (five parts) can be decrypted")
    alg, enc = outer.header["alg"], outer.header["enc"]
    if alg not in KEY_ALGORITHMS or enc not in ENCRYPTIONS:
        raise AlgorithmNotAllowedError("The token's algorithms are not supported")
    _, plaintext = decrypt(
        token,
        key,
        algorithms=[alg],
        encryptions=[enc],
        limits=INSPECT_LIMITS,
        allow_zip=True,
    )
    nested: Inspection | None = None
    claims: dict[str, Any] | None = None
    text: str | None = None
    if plaintext.count(b".") == 2 and plaintext.isascii():
        try:
            nested = inspect_token(plaintext.decode("ascii"))
        except MalformedTokenError:
            nested = None
    if nested is None:
        claims, text = _payload(plaintext)
    return dataclasses.replace(
        outer, claims=claims, payload_text=text, decrypted=True, nested=nested
    )


def parts_summary(inspection: Inspection) -> list[dict[str, Any]]:
    """Name and length of each part (decoded bytes for JWE parts)."""
    if inspection.kind == "jws":
        names: tuple[str, ...] = ("header", "payload", "signature")
    else:
        names = _JWE_PARTS
    return [
        {"part": name, "chars": len(segment), "bytes": len(segment) * 3 // 4}
        for name, segment in zip(names, inspection.segments, strict=True)
    ]


def claim_times(claims: Mapping[str, Any] | None) -> dict[str, float]:
    """The numeric time claims present (``exp``, ``nbf``, ``iat``)."""
    if not claims:
        return {}
    return {
        name: float(claims[name])
        for name in TIME_CLAIMS
        if isinstance(claims.get(name), int | float) and not isinstance(claims[name], bool)
    }
