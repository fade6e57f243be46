"""Which tokens an Authenticator accepts: the ``typ`` header and the claims a token must carry.

``iss``, ``aud`` and ``exp`` are always required and checked (they are the
Authenticator's ``issuer``, ``audience`` and the clock); a profile adds the
rest:

- ``GATEPASS``: the auth server's own access tokens, ``typ: at+jwt`` with
  ``sub``, ``iat``, ``jti`` and ``sid`` (what revocation by session needs).
  The default.
- ``RFC9068``: JWT access tokens of any OAuth 2.0 server that follows RFC 9068
  (Auth0, Okta, Keycloak, ...): ``typ: at+jwt`` with ``sub``, ``iat``, ``jti``
  and ``client_id`` (§2.2).
- ``JWT``: tokens of issuers that type nothing (Flask-JWT-Extended,
  fastapi-users, PyJWT-minted): the ``typ`` header is not checked, only ``sub``
  is required. Explicit typing (RFC 8725 §3.11) is what stops one kind of
  token being replayed as another: use it only when the issuer signs no
  other kind of token for the same audience with the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gatepass.tokens.access import ACCESS_TOKEN_TYPE, REQUIRED_CLAIMS

__all__ = ["GATEPASS", "JWT", "RFC9068", "Profile"]


@dataclass(frozen=True, slots=True)
class Profile:
    """A kind of access token: its ``typ`` (None: not checked) and required claims."""

    name: str
    typ: str | None
    require: tuple[str, ...]


GATEPASS: Final = Profile("gatepass", ACCESS_TOKEN_TYPE, REQUIRED_CLAIMS)
RFC9068: Final = Profile("rfc9068", "at+jwt", ("sub", "iat", "jti", "client_id"))
JWT: Final = Profile("jwt", None, ("sub",))
