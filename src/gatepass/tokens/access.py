"""Access tokens: short-lived JWTs (RFC 9068 profile) carrying no secrets.

Header ``typ: at+jwt`` and ``kid``; claims ``iss, sub, aud, exp, iat, jti,
sid`` plus the user's ``email`` and ``role``. The verifier side requires the
same type, issuer and audience, so an ID token or a token for another API can
never pass as an access token here.

With an ``AccessTokenEncryption`` the signed token is then encrypted to the
resource's key (a nested JWT, RFC 7519 §5.2), and the verifier decrypts, then
verifies, refusing a bare JWS.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from gatepass.jose import DEFAULT_LIMITS, Key, KeySet, Limits, Verifier, encode
from gatepass.tokens.encryption import AccessTokenEncryption, NestedAccessVerifier

__all__ = ["ACCESS_TOKEN_TYPE", "AccessTokenDecoder", "AccessTokenIssuer"]

ACCESS_TOKEN_TYPE = "at+jwt"
_REQUIRED = ("sub", "iat", "jti", "sid")


class AccessTokenDecoder(Protocol):
    def decode(self, token: str | bytes) -> dict[str, Any]:
        """The verified claims, or a JoseError."""
        ...


@dataclass(frozen=True, slots=True)
class AccessTokenIssuer:
    """Issues and verifies this server's access tokens with the active key."""

    issuer: str
    audience: str
    ttl: int
    encryption: AccessTokenEncryption | None = None

    def issue(
        self, key: Key, *, user_id: str, email: str, role: str, session_id: str, now: float
    ) -> tuple[str, dict[str, Any]]:
        """A signed access token and its claims."""
        issued = int(now)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": user_id,
            "aud": self.audience,
            "exp": issued + self.ttl,
            "iat": issued,
            "jti": secrets.token_urlsafe(16),
            "sid": session_id,
            "email": email,
            "role": role,
        }
        if self.encryption is not None:
            return self.encryption.seal(claims, key, ACCESS_TOKEN_TYPE), claims
        token = encode(claims, key, headers={"typ": ACCESS_TOKEN_TYPE, "kid": key.kid})
        return token, claims

    def verifier(
        self, keys: Key | KeySet, algorithms: Collection[str], *, max_token_bytes: int = 8192
    ) -> AccessTokenDecoder:
        """The strict verifier for these tokens (type, issuer, audience, sid and jti)."""
        limits = Limits(
            max_token_bytes=max_token_bytes,
            max_header_bytes=min(DEFAULT_LIMITS.max_header_bytes, max_token_bytes),
            max_payload_bytes=min(DEFAULT_LIMITS.max_payload_bytes, max_token_bytes),
        )
        if self.encryption is not None:
            return NestedAccessVerifier(
                self.encryption,
                keys,
                tuple(algorithms),
                self.issuer,
                self.audience,
                ACCESS_TOKEN_TYPE,
                _REQUIRED,
                limits,
            )
        return Verifier(
            keys,
            algorithms=list(algorithms),
            issuer=self.issuer,
            audience=self.audience,
            typ=ACCESS_TOKEN_TYPE,
            required=_REQUIRED,
            limits=limits,
        )
