"""Access tokens: short-lived JWTs (RFC 9068 profile) carrying no secrets.

Header ``typ: at+jwt`` and ``kid``; claims ``iss, sub, aud, exp, iat, jti,
sid`` plus the user's ``email`` and ``role``. The verifier side requires the
same type, issuer and audience, so an ID token or a token for another API can
never pass as an access token here.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from gatepass.jose import DEFAULT_LIMITS, Key, KeySet, Limits, Verifier, encode

__all__ = ["ACCESS_TOKEN_TYPE", "AccessTokenIssuer"]

ACCESS_TOKEN_TYPE = "at+jwt"


@dataclass(frozen=True, slots=True)
class AccessTokenIssuer:
    """Issues and verifies this server's access tokens with the active key."""

    issuer: str
    audience: str
    ttl: int

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
        token = encode(claims, key, headers={"typ": ACCESS_TOKEN_TYPE, "kid": key.kid})
        return token, claims

    def verifier(
        self, keys: Key | KeySet, algorithms: Collection[str], *, max_token_bytes: int = 8192
    ) -> Verifier:
        """The strict verifier for these tokens (type, issuer, audience, sid and jti)."""
        return Verifier(
            keys,
            algorithms=list(algorithms),
            issuer=self.issuer,
            audience=self.audience,
            typ=ACCESS_TOKEN_TYPE,
            required=("sub", "iat", "jti", "sid"),
            limits=Limits(
                max_token_bytes=max_token_bytes,
                max_header_bytes=min(DEFAULT_LIMITS.max_header_bytes, max_token_bytes),
                max_payload_bytes=min(DEFAULT_LIMITS.max_payload_bytes, max_token_bytes),
            ),
        )
