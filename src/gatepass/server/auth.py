"""``verifyToken``: the bearer-token dependency, with revocation checked at once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from gatepass.errors import InvalidTokenError, JoseError, MissingTokenError
from gatepass.server.cookies import access_cookie_name
from gatepass.server.state import ServerState, get_state
from gatepass.store.records import Session, User

__all__ = ["Principal", "current_principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller: the token's claims, its user and its session."""

    claims: dict[str, Any]
    user: User
    session: Session


def _token(request: Request, state: ServerState) -> tuple[str, bool]:
    """The access token and whether it came from the cookie (then CSRF applies)."""
    max_bytes = state.settings.max_token_bytes
    header = request.headers.get("authorization")
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


async def current_principal(
    request: Request, state: Annotated[ServerState, Depends(get_state)]
) -> Principal:
    token, via_cookie = _token(request, state)
    try:
        claims = state.verifier.decode(token)
    except JoseError:
        raise InvalidTokenError() from None
    if via_cookie:
        state.csrf.check(request, claims["sid"])
    now = time.time()
    session = await state.store.get_session(claims["sid"])
    user = await state.store.get_user(claims["sub"])
    if (
        session is None
        or not session.is_live(now)
        or session.user_id != claims["sub"]
        or user is None
        or user.disabled
        or claims["iat"] < user.tokens_not_before
    ):
        raise InvalidTokenError()
    return Principal(claims, user, session)
