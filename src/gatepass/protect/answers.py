"""What a protected app answers when a request is refused, for every adapter.

The bodies and headers are the auth server's (``gatepass.server.errors``):

- no ``Authorization`` header: 401 ``{"error": "missing_token", "message": "No token
  provided"}`` with ``WWW-Authenticate: Bearer``;
- any bad token (malformed, too large, bad signature, expired, revoked, wrong
  issuer/audience/type): 401 ``{"error": "invalid_token", "message": "Invalid or
  expired token"}`` with ``WWW-Authenticate: Bearer error="invalid_token"``;
  which check failed is never told to the caller;
- a valid token without the role or scope a route needs: 403
  ``{"error": "insufficient_scope", ...}`` with ``WWW-Authenticate: Bearer
  error="insufficient_scope"`` (RFC 6750 §3.1);
- a valid token whose login is not strong or recent enough for the route
  (``require(amr=..., acr=..., max_age=...)``): 401
  ``{"error": "insufficient_user_authentication", ...}`` with RFC 9470's
  challenge (``gatepass.stepup.challenge``);
- the signing keys could not be fetched at all: 503 ``service_unavailable``
  with ``Retry-After: 5``.

Framework-neutral: each adapter renders an ``ErrorAnswer`` its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import orjson

from gatepass.errors import (
    GatepassError,
    InsufficientScopeError,
    InsufficientUserAuthenticationError,
    InvalidTokenError,
    MissingTokenError,
    ServiceUnavailableError,
)
from gatepass.stepup import challenge
from gatepass.tokens.bearer import bearer_token

__all__ = ["KEYS_RETRY_AFTER_S", "ErrorAnswer", "answer_for", "bearer_token"]

#: ``Retry-After`` of the 503 sent while no signing keys could be fetched.
KEYS_RETRY_AFTER_S: Final = 5


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    @property
    def message(self) -> str:
        text: str = orjson.loads(self.body)["message"]
        return text


def _answer(status: int, error: GatepassError, www_authenticate: str | None) -> ErrorAnswer:
    headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
    if www_authenticate is not None:
        headers.append(("WWW-Authenticate", www_authenticate))
    if isinstance(error, ServiceUnavailableError):
        headers.append(("Retry-After", str(error.retry_after)))
    body = orjson.dumps({"error": error.code, "message": error.message})
    return ErrorAnswer(status, body, tuple(headers))


_MISSING: Final = _answer(401, MissingTokenError(), "Bearer")
_INVALID: Final = _answer(401, InvalidTokenError(), 'Bearer error="invalid_token"')
_FORBIDDEN: Final = _answer(403, InsufficientScopeError(), 'Bearer error="insufficient_scope"')
_UNAVAILABLE: Final = _answer(
    503,
    ServiceUnavailableError(
        "The signing keys are unavailable, try again shortly", retry_after=KEYS_RETRY_AFTER_S
    ),
    None,
)


def answer_for(error: GatepassError) -> ErrorAnswer:
    """The answer for a refusal; every other error is answered as an invalid token."""
    if isinstance(error, MissingTokenError):
        return _MISSING
    if isinstance(error, InsufficientScopeError):
        return _FORBIDDEN
    if isinstance(error, InsufficientUserAuthenticationError):
        return _answer(401, error, challenge(error))
    if isinstance(error, ServiceUnavailableError):
        return _UNAVAILABLE
    return _INVALID
