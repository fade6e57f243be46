"""The auth routes: register, login, refresh, logout, me and sessions."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gatepass.errors import (
    InvalidCredentialsError,
    InvalidTokenError,
    NotFoundError,
    RefreshTokenReuseError,
    RegistrationClosedError,
)
from gatepass.identity.emails import MAX_EMAIL_LENGTH, normalise_email, sign_in_email
from gatepass.revocation.revoke import revoke_user
from gatepass.server.auth import Principal, current_principal, load_rows
from gatepass.server.cookies import clear_cookies, cookie_names, set_cookies
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.proxy import client_ip
from gatepass.server.state import ServerState, get_state
from gatepass.store.records import Session, User, hash_token
from gatepass.store.rotation import Replay, Requester, RevokeSession, Rotate
from gatepass.tokens.refresh import new_refresh_token, unseal_successor

__all__ = ["auth_router", "refresh_tokens"]

State = Annotated[ServerState, Depends(get_state)]
Caller = Annotated[Principal, Depends(current_principal)]


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email: str = Field(max_length=MAX_EMAIL_LENGTH, json_schema_extra={"format": "email"})
    password: str = Field(min_length=8, max_length=1024)

    def identity(self) -> str:
        """The email in its one stored form (``InvalidEmailError`` says why not)."""
        return normalise_email(self.email)


class LoginBody(Credentials):
    cookies: bool = False

    def sign_in(self) -> str:
        """The email a login looks up (an unknown-but-plausible one is simply not found)."""
        return sign_in_email(self.email)


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    refresh_token: str | None = Field(default=None, min_length=1, max_length=512)


def _deliver(
    state: ServerState, response: Response, tokens: dict[str, Any], cookies: bool
) -> dict[str, Any]:
    """Bearer mode: tokens in the body. Cookie mode: tokens in cookies, CSRF in both.

    In cookie mode the refresh token never reaches JavaScript. The access token
    is copied into the body only for the web console, which shows its three
    parts; with the console off (``GATEPASS_CONSOLE=false``) the body carries
    no token at all, so script on the page cannot read one either.
    """
    response.headers["Cache-Control"] = "no-store"
    if not cookies:
        return tokens
    csrf = state.csrf.token(tokens["session_id"])
    set_cookies(
        response,
        state.settings,
        access=tokens["access_token"],
        refresh=tokens.pop("refresh_token"),
        csrf=csrf,
    )
    if not state.settings.console:
        del tokens["access_token"]
    return {**tokens, "csrf_token": csrf}


def _client(request: Request, state: ServerState) -> tuple[str | None, str | None]:
    ip = client_ip(request.scope, state.settings.trusted_networks)
    return ip, request.headers.get("user-agent", "")[:512] or None


async def _tokens(
    state: ServerState, user: User, session: Session, refresh: str, now: float
) -> dict[str, Any]:
    access, _ = state.access.issue(
        state.keyring.active,
        user_id=user.id,
        email=user.email,
        role=user.role,
        session_id=session.id,
        now=now,
    )
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": state.settings.access_ttl,
        "refresh_token": refresh,
        "refresh_expires_in": state.settings.refresh_ttl,
        "session_id": session.id,
    }


async def refresh_tokens(
    state: ServerState, request: Request, presented: str, now: float
) -> dict[str, Any]:
    """Rotate the refresh token ``presented``: the new tokens, or an AuthError.

    The one refresh flow, shared by ``POST /refresh`` (JSON, cookies) and the
    RFC 6749 token endpoint; a reused token revokes its session. One
    transaction decides, rotates, reads the user and writes the audit row:
    after a 503 nothing happened, so the same token may be sent again.
    """
    ip, agent = _client(request, state)
    successor = new_refresh_token()
    result = await state.store.rotate_refresh(
        hash_token(presented),
        now,
        state.rotation.rule(presented, successor),
        audit=Requester(ip, agent),
    )
    decision, session, user = result.decision, result.session, result.user
    if isinstance(decision, RevokeSession):
        raise RefreshTokenReuseError()
    if not isinstance(decision, Rotate | Replay) or session is None or user is None:
        raise InvalidTokenError()
    if isinstance(decision, Replay):
        if result.sealed is None:
            raise InvalidTokenError()
        successor = unseal_successor(presented, result.sealed)
    tokens = await _tokens(state, user, session, successor, now)
    tokens["refresh_id"] = result.successor.id if result.successor else None
    tokens["previous_refresh_id"] = result.token.id if result.token else None
    return tokens


def auth_router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)

    @router.post("/register", status_code=201)
    async def register(body: Credentials, request: Request, state: State) -> dict[str, str]:
        if not state.settings.registration_open:
            raise RegistrationClosedError()
        email = body.identity()
        await state.limits.check("register:ip", _client(request, state)[0] or "unknown")
        await state.passwords.check_new(body.password, email)
        password_hash = await state.passwords.hash(body.password)
        user = await state.store.create_user(email, password_hash, now=time.time())
        return {"id": user.id, "email": user.email}

    @router.post("/login")
    async def login(
        body: LoginBody, request: Request, response: Response, state: State
    ) -> dict[str, Any]:
        now, (ip, agent), email = state.clock(), _client(request, state), body.sign_in()
        client = ip or "unknown"
        await state.limits.check("login:ip", client)
        await state.limits.admit_login(email, client)  # 429, or a delay
        user = await state.store.get_user_by_email(email)
        ok, rehash = await state.passwords.verify(
            user.password_hash if user else None, body.password
        )
        if user is None or not ok or user.disabled:
            await state.limits.login_failed(email)
            await state.store.add_audit_event(
                "login_failed", at=now, user_id=user.id if user else None, ip=ip, user_agent=agent
            )
            raise InvalidCredentialsError()
        await state.limits.login_succeeded(email, client)
        if rehash:
            user = await state.store.update_user(
                user.id, password_hash=await state.passwords.hash(body.password)
            )
        settings, refresh = state.settings, new_refresh_token()
        # One transaction (session, refresh token, audit row): a 503 left nothing behind.
        session, _ = await state.store.start_session(
            user.id,
            hash_token(refresh),
            now=now,
            expires_at=now + settings.session_ttl,
            refresh_expires_at=now + settings.refresh_ttl,
            user_agent=agent,
            ip=ip,
        )
        return _deliver(
            state, response, await _tokens(state, user, session, refresh, now), body.cookies
        )

    @router.post("/refresh")
    async def refresh(
        request: Request, response: Response, state: State, body: RefreshBody | None = None
    ) -> dict[str, Any]:
        now, ip = state.clock(), _client(request, state)[0]
        await state.limits.check("refresh:ip", ip or "unknown")
        from_cookie = body is None or body.refresh_token is None
        cookie = cookie_names(state.settings).refresh
        presented = request.cookies.get(cookie) if from_cookie else body.refresh_token  # type: ignore[union-attr]
        if not presented or len(presented) > 512:
            raise InvalidTokenError()
        if from_cookie:  # a cookie travels by itself: demand the session's CSRF token
            known = await state.store.get_refresh_token(hash_token(presented))
            if known is None:
                raise InvalidTokenError()
            state.csrf.check(request, known.session_id)
        tokens = await refresh_tokens(state, request, presented, now)
        return _deliver(state, response, tokens, from_cookie)

    @router.post("/logout", status_code=204)
    async def logout(caller: Caller, state: State, response: Response) -> None:
        now = time.time()
        clear_cookies(response, state.settings)
        await state.store.revoke_session(
            caller.session.id,
            now=now,
            reason="logout",
            denylist_until=now + state.settings.access_ttl,
        )
        await state.store.add_audit_event(
            "logout", at=now, user_id=caller.user.id, session_id=caller.session.id
        )

    @router.post("/logout/all", status_code=204)
    async def logout_all(caller: Caller, state: State) -> None:
        now = time.time()
        await revoke_user(state.store, caller.user.id, now, state.settings.access_ttl, "logout_all")
        await state.store.add_audit_event("logout_all", at=now, user_id=caller.user.id)

    @router.get("/me")
    async def me(caller: Caller, state: State) -> dict[str, Any]:
        user, session = await load_rows(state, caller)
        return {
            "user": {"id": user.id, "email": user.email, "role": user.role},
            "session": _session_json(session, session.id),
        }

    @router.get("/sessions")
    async def sessions(caller: Caller, state: State) -> dict[str, Any]:
        live = await state.store.list_active_sessions(caller.user.id, now=time.time())
        return {"sessions": [_session_json(s, caller.session.id) for s in live]}

    @router.delete("/sessions/{session_id}", status_code=204)
    async def revoke(session_id: str, caller: Caller, state: State) -> None:
        target = await state.store.get_session(session_id)
        if target is None or target.user_id != caller.user.id:
            raise NotFoundError()
        now = time.time()
        await state.store.revoke_session(
            session_id, now=now, reason="revoked", denylist_until=now + state.settings.access_ttl
        )
        await state.store.add_audit_event(
            "session_revoked", at=now, user_id=caller.user.id, session_id=session_id
        )

    return router


def _session_json(session: Session, current: str) -> dict[str, Any]:
    return {
        "id": session.id,
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "user_agent": session.user_agent,
        "ip": session.ip,
        "current": session.id == current,
    }
