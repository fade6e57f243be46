"""PyJWT's base64url helpers, on gatepass's strict codec."""

from __future__ import annotations

from gatepass.jose._b64 import b64decode, b64encode

__all__ = ["base64url_decode", "base64url_encode"]


def base64url_encode(data: bytes) -> bytes:
    """Unpadded base64url of ``data``."""
    return b64encode(data).encode("ascii")


def base64url_decode(data: str | bytes) -> bytes:
    """Decode unpadded base64url (MalformedTokenError for anything else)."""
    return b64decode(data)
