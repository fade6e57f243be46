"""Access tokens: short-lived JWTs (RFC 9068 profile) carrying no secrets.

Header ``typ: at+jwt`` and ``kid``; claims ``iss, sub, aud, exp, iat, jti,
sid`` plus the user's ``email``, ``email_verified`` (OpenID Connect's
claim: whether the address was confirmed through a mailed link) and
``role``; and, when the login said how it went, ``amr`` (RFC 8176: ``pwd``
for a password, ``otp`` and ``mfa`` after a second factor) and ``auth_time``
(when the person logged in: the session's start, also after a refresh). The
verifier side requires the same type, issuer and audience, so an ID token or a
token for another API can never pass as an access token here.

With an ``AccessTokenEncryption`` the signed token is then encrypted to the
resource's key (a nested JWT, RFC 7519 §5.2), and the verifier decrypts, then
verifies, refusing a bare JWS.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

from gatepass.clock import Clock
from gatepass.jose import Key, KeySet, encode
from gatepass.jose.expectations import Expectations
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.verify import Decoder, decoder, limits_for

__all__ = ["ACCESS_TOKEN_TYPE", "REQUIRED_CLAIMS", "AccessTokenIssuer"]

ACCESS_TOKEN_TYPE = "at+jwt"
#: The claims every access token carries besides iss, aud and exp (revocation needs sid).
REQUIRED_CLAIMS: Final = ("sub", "iat", "jti", "sid")


@dataclass(frozen=True, slots=True)
class AccessTokenIssuer:
    """Issues and verifies this server's access tokens with the active key."""

    issuer: str
    audience: str
    ttl: int
    encryption: AccessTokenEncryption | None = None

    def issue(
        self,
        key: Key,
        *,
        user_id: str,
        email: str,
        role: str,
        session_id: str,
        now: float,
        email_verified: bool = False,
        amr: Sequence[str] | None = None,
        auth_time: float | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """A signed access token and its claims (``amr`` and ``auth_time`` when given)."""
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
            "email_verified": email_verified,
            "role": role,
        }
        if amr is not None:
            claims["amr"] = list(amr)
        if auth_time is not None:
            claims["auth_time"] = int(auth_time)
        if self.encryption is not None:
            return self.encryption.seal(claims, key, ACCESS_TOKEN_TYPE), claims
        token = encode(claims, key, headers={"typ": ACCESS_TOKEN_TYPE, "kid": key.kid})
        return token, claims

    def expectations(
        self,
        algorithms: Collection[str],
        *,
        max_token_bytes: int = 8192,
        clock: Clock | None = None,
    ) -> Expectations:
        """What these tokens must be: type, issuer, audience, sid and jti, within the size cap
        (their times judged by ``clock``; None: ``time.time``)."""
        return Expectations(
            tuple(algorithms),
            issuer=self.issuer,
            audience=self.audience,
            typ=ACCESS_TOKEN_TYPE,
            required=REQUIRED_CLAIMS,
            limits=limits_for(max_token_bytes),
            clock=clock,
        )

    def verifier(
        self, keys: Key | KeySet, algorithms: Collection[str], *, max_token_bytes: int = 8192
    ) -> Decoder:
        """The strict verifier for these tokens with ``keys`` (see ``expectations``)."""
        expect = self.expectations(algorithms, max_token_bytes=max_token_bytes)
        return decoder(keys, expect, self.encryption)
