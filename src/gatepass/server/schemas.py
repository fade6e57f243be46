"""The 2xx bodies of the server's operations, as the OpenAPI document shows them.

Documentation models (``server.openapi`` puts them in the document): the
routes build their answers as dicts, and the schemathesis test
(``tests/server/test_schemathesis.py``) checks every answer against these.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Accepted",
    "Address",
    "ConsoleConfig",
    "CookieNames",
    "Dashboard",
    "Discovery",
    "Health",
    "Identities",
    "IdentityInfo",
    "Jwks",
    "Me",
    "MfaInfo",
    "OAuthTokens",
    "ProviderInfo",
    "Providers",
    "Reauthenticated",
    "Registered",
    "ReplayResult",
    "RevocationFeed",
    "SessionInfo",
    "Sessions",
    "Tokens",
    "UserInfo",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Registered(_Body):
    id: str
    email: str = Field(json_schema_extra={"format": "email"})


class Accepted(_Body):
    """The same answer whether or not the address has an account."""

    message: str


class Address(_Body):
    """A verified or newly confirmed address."""

    email: str = Field(json_schema_extra={"format": "email"})
    email_verified: bool


class Reauthenticated(_Body):
    """A new access token for the same session; the refresh token is unchanged."""

    access_token: str | None = Field(
        default=None, description="Absent in cookie mode without the console"
    )
    token_type: Literal["Bearer"]
    expires_in: int
    session_id: str
    auth_time: int = Field(description="The re-authentication, in seconds since the epoch")
    amr: list[str] = Field(description="RFC 8176 methods of the re-authentication")


class Tokens(_Body):
    """Bearer mode: both tokens. Cookie mode: the tokens are in cookies, the CSRF token here."""

    access_token: str | None = Field(
        default=None, description="Absent in cookie mode without the console"
    )
    token_type: Literal["Bearer"]
    expires_in: int
    refresh_token: str | None = Field(default=None, description="Bearer mode only")
    refresh_expires_in: int
    session_id: str
    csrf_token: str | None = Field(default=None, description="Cookie mode only")
    refresh_id: str | None = Field(default=None, description="After a refresh")
    previous_refresh_id: str | None = Field(default=None, description="After a refresh")


class MfaInfo(_Body):
    totp: bool = Field(description="TOTP is on (a set-up never confirmed is not)")
    recovery_codes: int = Field(description="Recovery codes left")
    passkeys: int = Field(description="Passkeys registered")


class UserInfo(_Body):
    id: str
    email: str
    email_verified: bool
    role: str
    has_password: bool
    mfa: MfaInfo


class SessionInfo(_Body):
    id: str
    created_at: float
    last_used_at: float | None
    user_agent: str | None
    ip: str | None
    current: bool


class Me(_Body):
    user: UserInfo
    session: SessionInfo


class Sessions(_Body):
    sessions: list[SessionInfo]


class ProviderInfo(_Body):
    name: str
    label: str


class Providers(_Body):
    providers: list[ProviderInfo]


class IdentityInfo(_Body):
    id: str
    provider: str
    subject: str
    email: str | None
    created_at: float
    last_login_at: float


class Identities(_Body):
    identities: list[IdentityInfo]


class Dashboard(_Body):
    message: str


class Health(_Body):
    status: Literal["ok"]
    database: Literal["ok"]


class RevocationFeed(_Body):
    entries: list[dict[str, object]]
    cursor: int


class ReplayResult(_Body):
    decision: Literal["grace_replay", "reuse_detected"]
    session_revoked: bool
    refresh_id: str
    retry_after: int | None = None
    session_id: str | None = None


class Jwks(_Body):
    keys: list[dict[str, object]] = Field(description="Public JWKs (RFC 7517)")


class Discovery(_Body):
    """RFC 8414 authorization server metadata (``/.well-known/oauth-authorization-server``,
    served at ``/.well-known/openid-configuration`` too)."""

    issuer: str
    token_endpoint: str
    jwks_uri: str | None = None  # absent in HS256 mode: there is no public key
    grant_types_supported: list[str]
    response_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint: str
    revocation_endpoint_auth_methods_supported: list[str]


class OAuthTokens(_Body):
    """RFC 6749 §5.1: what the token endpoint answers."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str


class CookieNames(_Body):
    access: str
    refresh: str
    csrf: str


class ConsoleConfig(_Body):
    auth_prefix: str
    issuer: str
    access_ttl: int
    refresh_ttl: int
    refresh_grace: int
    session_ttl: int
    registration_open: bool
    cookies: CookieNames
    csrf_header: str
    replay_path: str
    providers: list[ProviderInfo]
