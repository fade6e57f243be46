"""``verifyToken``: the bearer-token dependency, with revocation checked at once.

The hot path reads no database: the token from the header (or the cookie,
then CSRF applies), and one call to the server's ``AccessVerifier``
(``gatepass.tokens.verify``: current keys, cache, the in-memory revocation
list), which yields the ``Principal``. Routes that need the rows (``/me``)
call ``load_rows``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gatepass.clock import Clock
from gatepass.errors import InvalidTokenError, JoseError, MissingTokenError
from gatepass.server.cookies import access_cookie_name
from gatepass.server.keys import SigningKeys
from gatepass.server.middleware import mark_credentialed
from gatepass.server.state import ServerState, get_state
from gatepass.settings import Settings
from gatepass.store.records import Session, User
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.bearer import authorization_header, bearer_token
from gatepass.tokens.keyring import SIGNING_ALGORITHMS
from gatepass.tokens.principal import Principal
from gatepass.tokens.verify import AccessVerifier, Revocations

__all__ = ["Principal", "access_verifier", "current_principal", "load_rows", "session_of"]


def session_of(caller: Principal) -> str:
    """The caller's session: every token this server accepts names one (``sid`` is required)."""
    if caller.sid is None:
        raise InvalidTokenError()
    return caller.sid


def access_verifier(
    settings: Settings,
    keys: SigningKeys,
    access: AccessTokenIssuer,
    revocations: Revocations,
    clock: Clock,
) -> AccessVerifier:
    """The server's verifier: its own tokens, with the keys ``SigningKeys`` holds, on ``clock``.

    The allow-list is every algorithm the keyring can hold (HS256 alone with
    ``GATEPASS_JWT_SECRET``); each stored key verifies only with its own ``alg``.
    """
    algorithms = ("HS256",) if settings.jwt_secret is not None else SIGNING_ALGORITHMS
    return AccessVerifier(
        keys,
        access.expectations(algorithms, max_token_bytes=settings.max_token_bytes, clock=clock),
        encryption=access.encryption,
        revocations=revocations,
        cache_bytes=settings.token_cache_bytes,
    )


def _token(request: Request, state: ServerState) -> tuple[str, bool]:
    """The access token and whether it came from the cookie (then CSRF applies)."""
    max_bytes = state.settings.max_token_bytes
    header = authorization_header(request.scope)
    if header is None:
        cookie = request.cookies.get(access_cookie_name(state.settings))
        if not cookie:
            raise MissingTokenError()
        if len(cookie) > max_bytes:
            raise InvalidTokenError()
        return cookie, True
    return bearer_token(header, max_bytes), False


async def current_principal(
    request: Request, state: Annotated[ServerState, Depends(get_state)]
) -> Principal:
    mark_credentialed(request.scope)  # whatever the answer, it depends on the credentials
    token, via_cookie = _token(request, state)
    try:
        principal = await state.verifier.verify(token)
    except JoseError:
        raise InvalidTokenError() from None
    if via_cookie:
        state.csrf.check(request, session_of(principal))
    return principal


async def load_rows(state: ServerState, caller: Principal) -> tuple[User, Session]:
    """The caller's user and session rows; both must still be live."""
    session = await state.store.get_session(session_of(caller))
    user = await state.store.get_user(caller.sub)
    if (
        session is None
        or not session.is_live(state.clock())
        or session.user_id != caller.sub
        or user is None
        or user.disabled
    ):
        raise InvalidTokenError()
    return user, session
