"""The 2xx bodies of the server's operations, as the OpenAPI document shows them.

Documentation models (``server.openapi`` puts them in the document): the
routes build their answers as dicts, and the schemathesis test
(``tests/server/test_schemathesis.py``) checks every answer against these.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ConsoleConfig",
    "CookieNames",
    "Dashboard",
    "Discovery",
    "Health",
    "Jwks",
    "Me",
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


class UserInfo(_Body):
    id: str
    email: str
    role: str


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
    issuer: str
    jwks_uri: str
    token_endpoint: str
    refresh_endpoint: str
    end_session_endpoint: str
    registration_endpoint: str
    token_endpoint_auth_methods_supported: list[str]
    access_token_signing_alg_values_supported: list[str]


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
