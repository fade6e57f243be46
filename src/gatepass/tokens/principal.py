"""``Principal``: who called, as a verified access token says.

One class for the auth server's own routes (``server.auth``) and for every
API ``gatepass.protect`` guards: the identity claims, typed, and the whole
read-only claim set. Built only from claims that passed verification
(``tokens.verify``); a wrongly typed identity claim is an invalid token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from gatepass.errors import InvalidTokenError

__all__ = ["Principal", "scopes_of"]


def _optional_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None or isinstance(value, str):
        return value
    raise InvalidTokenError()


def _optional_id(claims: Mapping[str, Any], name: str) -> str | None:
    return _required_str(claims, name) if name in claims else None


def _required_str(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    if isinstance(value, str) and value:
        return value
    raise InvalidTokenError()


def scopes_of(claims: Mapping[str, Any]) -> frozenset[str]:
    """The token's scopes: ``scope`` (space-separated string) and/or ``scp`` (list of strings)."""
    found: set[str] = set()
    scope = claims.get("scope")
    if scope is not None:
        if not isinstance(scope, str):
            raise InvalidTokenError()
        found.update(scope.split())
    scp = claims.get("scp")
    if scp is not None:
        if not isinstance(scp, list) or not all(isinstance(s, str) for s in scp):
            raise InvalidTokenError()
        found.update(scp)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who called: the access token's identity claims and the whole (read-only) claim set.

    ``repr`` leaves the claims out, so logging a principal never logs them.
    """

    sub: str
    sid: str | None  # always set for gatepass's tokens; other issuers' may have none
    jti: str | None
    email: str | None
    role: str | None
    scopes: frozenset[str]
    claims: Mapping[str, Any] = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """A principal from verified claims; wrongly typed identity claims are an invalid token."""
        return cls(
            sub=_required_str(claims, "sub"),
            sid=_optional_id(claims, "sid"),
            jti=_optional_id(claims, "jti"),
            email=_optional_str(claims, "email"),
            role=_optional_str(claims, "role"),
            scopes=scopes_of(claims),
            claims=MappingProxyType(dict(claims)),
        )
