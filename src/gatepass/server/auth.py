"""``verifyToken``: the bearer-token dependency, with revocation checked at once.

The hot path reads no database: verify the JWT with the current key
snapshot, ask the in-memory revocation list (``server.revocations``), and
build the ``Principal`` from the claims. Routes that need the rows (``/me``)
call ``load_rows``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from gatepass.errors import InvalidTokenError, JoseError, KeyNotFoundError, MissingTokenError
from gatepass.server.cookies import access_cookie_name
from gatepass.server.middleware import mark_credentialed
from gatepass.server.state import ServerState, get_state
from gatepass.store.records import Session, User

__all__ = ["Principal", "TokenSession", "TokenUser", "current_principal", "load_rows"]


@dataclass(frozen=True, slots=True)
class TokenUser:
    """The user as the access token describes them (no database read)."""

    id: str
    email: str
    role: str


@dataclass(frozen=True, slots=True)
class TokenSession:
    id: str


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller: the token's claims, and its user and session as the claims say."""

    claims: dict[str, Any]
    user: TokenUser
    session: TokenSession

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        """The caller from verified claims; a ``sid`` that is not a string is an invalid token."""
        email, role, sid = claims.get("email"), claims.get("role"), claims.get("sid")
        if not isinstance(sid, str) or not sid:  # the verifier required it; sub and jti are typed
            raise InvalidTokenError()
        return cls(
            claims,
            TokenUser(
                claims["sub"],
                email if isinstance(email, str) else "",
                role if isinstance(role, str) else "",
            ),
            TokenSession(claims["sid"]),
        )

    @property
    def user_id(self) -> str:
        return self.user.id

    @property
    def session_id(self) -> str:
        return self.session.id

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def role(self) -> str:
        return self.user.role


def _token(request: Request, state: ServerState) -> tuple[str, bool]:
    """The access token and whether it came from the cookie (then CSRF applies)."""
    max_bytes = state.settings.max_token_bytes
    headers = request.headers.getlist("authorization")
    if len(headers) > 1:  # which one counts would depend on who parses: neither
        raise InvalidTokenError()
    header = headers[0] if headers else None
    if header is None:
        cookie = request.cookies.get(access_cookie_name(state.settings))
        if not cookie:
            raise MissingTokenError()
        if len(cookie) > max_bytes:
            raise InvalidTokenError()
        return cookie, True
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token or len(token) > max_bytes:
        raise InvalidTokenError()
    return token, False


async def _decode(state: ServerState, token: str) -> dict[str, Any]:
    try:
        try:
            return state.verifier.decode(token)
        except KeyNotFoundError:
            # Perhaps another server rotated a moment ago: one early key re-read.
            if not await state.keys.refresh_for_unknown_kid():
                raise
            return state.verifier.decode(token)
    except JoseError:
        raise InvalidTokenError() from None


async def current_principal(
    request: Request, state: Annotated[ServerState, Depends(get_state)]
) -> Principal:
    mark_credentialed(request.scope)  # whatever the answer, it depends on the credentials
    token, via_cookie = _token(request, state)
    # A token this key set already verified skips the signature check only:
    # exp/nbf are checked at every hit, revocation and CSRF below as always.
    verified = state.keys.current.verified
    principal: Principal | None = verified.get(token, time.time())
    if principal is None:
        principal = Principal.from_claims(await _decode(state, token))
        verified.put(token, principal)
    if via_cookie:
        state.csrf.check(request, principal.session.id)
    if state.revocations.is_revoked(principal.claims):
        raise InvalidTokenError()
    return principal


async def load_rows(state: ServerState, caller: Principal) -> tuple[User, Session]:
    """The caller's user and session rows; both must still be live."""
    session = await state.store.get_session(caller.session.id)
    user = await state.store.get_user(caller.user.id)
    if (
        session is None
        or not session.is_live(time.time())
        or session.user_id != caller.user.id
        or user is None
        or user.disabled
    ):
        raise InvalidTokenError()
    return user, session
