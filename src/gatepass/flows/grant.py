"""``TokenGrant``: what a login or a refresh hands out, and ``GrantIssuer``, which makes one.

``start_login`` is the end of every login (a password, or a password and a
second factor): the session, its first refresh token and the ``login`` audit
row in one transaction (``Store.start_session``), then the first grant.

A grant is delivery-free: the routes put it in a JSON body, in cookies, or in
an RFC 6749 §5.1 answer. A refresh's grant also names the refresh tokens it
rotated (``Rotation``), which ``POST /refresh`` reports and login has none of.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gatepass.jose import Key
from gatepass.store.protocols import Store
from gatepass.store.records import Session, User, hash_token
from gatepass.store.rotation import Requester
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.refresh import new_refresh_token

__all__ = ["PASSWORD_AMR", "GrantIssuer", "Rotation", "TokenGrant", "start_login"]

#: RFC 8176 ``amr`` of a password login (a second factor's are ``flows.mfa_login``'s).
PASSWORD_AMR: tuple[str, ...] = ("pwd",)


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
        *,
        amr: tuple[str, ...] | None = None,
    ) -> TokenGrant:
        """The grant of ``refresh`` and a new access token for ``user`` in ``session``."""
        return TokenGrant(
            access_token=self.access_token(user, session, now, amr=amr),
            refresh_token=refresh,
            session_id=session.id,
            expires_in=self.access_ttl,
            refresh_expires_in=self.refresh_ttl,
            rotation=rotation,
        )

    def access_token(
        self, user: User, session: Session, now: float, *, amr: tuple[str, ...] | None
    ) -> str:
        """A new access token for ``user`` in ``session`` (``auth_time``: the session's
        start or its last re-authentication; ``amr`` when the caller knows it)."""
        token, _ = self.access.issue(
            self.key,
            user_id=user.id,
            email=user.email,
            email_verified=user.email_verified,
            role=user.role,
            session_id=session.id,
            now=now,
            amr=amr,
            auth_time=session.auth_time,
        )
        return token


async def start_login(
    store: Store,
    issuer: GrantIssuer,
    user: User,
    *,
    requester: Requester,
    session_ttl: int,
    now: float,
    amr: tuple[str, ...],
) -> TokenGrant:
    """A new session for ``user`` and its first grant, the access token saying ``amr``
    (none when empty: a provider that did not say how its user signed in)."""
    refresh = new_refresh_token()
    session, _ = await store.start_session(
        user.id,
        hash_token(refresh),
        now=now,
        expires_at=now + session_ttl,
        refresh_expires_at=now + issuer.refresh_ttl,
        user_agent=requester.user_agent,
        ip=requester.ip,
        amr=amr,
    )
    return issuer.grant(user, session, refresh, now, amr=amr or None)
