"""``TokenGrant``: what a login or a refresh hands out, and ``GrantIssuer``, which makes one.

A grant is delivery-free: the routes put it in a JSON body, in cookies, or in
an RFC 6749 §5.1 answer. A refresh's grant also names the refresh tokens it
rotated (``Rotation``), which ``POST /refresh`` reports and login has none of.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gatepass.jose import Key
from gatepass.store.records import Session, User
from gatepass.tokens.access import AccessTokenIssuer

__all__ = ["GrantIssuer", "Rotation", "TokenGrant"]


@dataclass(frozen=True, slots=True)
class Rotation:
    """The refresh token a refresh delivered (``refresh_id``) and the one it spent."""

    refresh_id: str | None
    previous_refresh_id: str | None


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """An access token and a refresh token for one session, with their lifetimes."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    session_id: str
    expires_in: int
    refresh_expires_in: int
    rotation: Rotation | None = None


@dataclass(frozen=True, slots=True)
class GrantIssuer:
    """Signs access tokens with ``key`` (the keyring's active one at the time of the request)."""

    access: AccessTokenIssuer
    key: Key
    access_ttl: int
    refresh_ttl: int

    def grant(
        self,
        user: User,
        session: Session,
        refresh: str,
        now: float,
        rotation: Rotation | None = None,
    ) -> TokenGrant:
        """The grant of ``refresh`` and a new access token for ``user`` in ``session``."""
        access, _ = self.access.issue(
            self.key,
            user_id=user.id,
            email=user.email,
            email_verified=user.email_verified,
            role=user.role,
            session_id=session.id,
            now=now,
        )
        return TokenGrant(
            access_token=access,
            refresh_token=refresh,
            session_id=session.id,
            expires_in=self.access_ttl,
            refresh_expires_in=self.refresh_ttl,
            rotation=rotation,
        )
