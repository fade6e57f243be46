"""Reading a bearer token from a request: the one rule for the server and ``gatepass.protect``.

``authorization_header`` takes the ``Authorization`` value from the ASGI scope's
raw headers (no ``Headers`` object is built on the hot path); two of them are
``InvalidTokenError``: which one counts would depend on who parses, so neither
does. ``bearer_token`` takes the token out of that value (RFC 6750 §2.1): no
header is ``MissingTokenError``; another scheme, an empty token, extra spaces
or a token over ``max_bytes`` is ``InvalidTokenError``, and the token is then
never parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatepass.errors import InvalidTokenError, MissingTokenError

__all__ = ["authorization_header", "bearer_token"]


def authorization_header(scope: Mapping[str, Any]) -> str | None:
    """The request's one ``Authorization`` value, or None without one."""
    values = [value for name, value in scope.get("headers", ()) if name == b"authorization"]
    if len(values) > 1:
        raise InvalidTokenError()
    return values[0].decode("latin-1") if values else None


def bearer_token(authorization: str | None, max_bytes: int) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value."""
    if authorization is None:
        raise MissingTokenError()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token or len(token) > max_bytes:
        raise InvalidTokenError()
    return token
