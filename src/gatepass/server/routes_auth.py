"""The auth routes: register, login, refresh, logout, me and sessions.

Parsing, CSRF and delivery only: what each route does is a flow in
``gatepass.flows``, called with the server's store, keys, lifetimes and clock.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gatepass import flows
from gatepass.errors import InvalidTokenError
from gatepass.flows.mfa_login import MfaRequired
from gatepass.identity.emails import MAX_EMAIL_LENGTH
from gatepass.server.auth import Principal, current_principal, load_rows, session_of
from gatepass.server.cookies import clear_cookies, cookie_names
from gatepass.server.delivery import deliver, mfa_required
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.requester import requester_of
from gatepass.server.schemas import Accepted
from gatepass.server.state import ServerState, get_state
from gatepass.store.records import Session, hash_token

__all__ = ["REGISTERED", "auth_router"]

#: A registration's answer when verified addresses are required, for a new and a taken one alike.
REGISTERED: Final = {"message": "Check your inbox: we sent a link to confirm the address."}

State = Annotated[ServerState, Depends(get_state)]
Caller = Annotated[Principal, Depends(current_principal)]


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email: str = Field(max_length=MAX_EMAIL_LENGTH, json_schema_extra={"format": "email"})
    password: str = Field(min_length=8, max_length=1024)


class LoginBody(Credentials):
    cookies: bool = False


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    refresh_token: str | None = Field(default=None, min_length=1, max_length=512)


def auth_router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)

    @router.post(
        "/register",
        status_code=201,
        responses={202: {"model": Accepted, "description": "Verification required: mail sent"}},
    )
    async def register(
        body: Credentials, request: Request, response: Response, state: State
    ) -> dict[str, str]:
        """201 with the user; or, when verified addresses are required, 202 with one
        body for every address (the owner of a taken one is told by mail)."""
        account = await flows.prepare_registration(
            state.passwords,
            state.limits,
            email=body.email,
            password=body.password,
            requester=requester_of(request, state),
            registration_open=state.settings.registration_open,
        )
        if state.settings.verified_email_required:
            state.deferred.later(
                flows.create_account_quietly(
                    state.store, state.mailer, state.limits, account, clock=state.clock
                )
            )
            response.status_code = 202
            return REGISTERED
        user = await flows.create_account(
            state.store, state.mailer, state.limits, account, clock=state.clock
        )
        return {"id": user.id, "email": user.email}

    @router.post("/login")
    async def login(
        body: LoginBody, request: Request, response: Response, state: State
    ) -> dict[str, Any]:
        grant = await flows.login(
            state.store,
            state.passwords,
            state.limits,
            state.grants,
            email=body.email,
            password=body.password,
            requester=requester_of(request, state),
            session_ttl=state.settings.session_ttl,
            clock=state.clock,
            verified_email_required=state.settings.verified_email_required,
            cookies=body.cookies,
        )
        if isinstance(grant, MfaRequired):
            response.headers["Cache-Control"] = "no-store"
            return mfa_required(grant)
        return deliver(state, response, grant, body.cookies)

    @router.post("/refresh")
    async def refresh(
        request: Request, response: Response, state: State, body: RefreshBody | None = None
    ) -> dict[str, Any]:
        who = requester_of(request, state)
        await state.limits.check("refresh:ip", who.ip or "unknown")
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
        grant = await flows.refresh(
            state.store,
            state.rotation,
            state.grants,
            presented=presented,
            requester=who,
            clock=state.clock,
        )
        return deliver(state, response, grant, from_cookie)

    @router.post("/logout", status_code=204)
    async def logout(caller: Caller, state: State, response: Response) -> None:
        clear_cookies(response, state.settings)
        await flows.logout(
            state.store,
            user_id=caller.sub,
            session_id=session_of(caller),
            access_ttl=state.settings.access_ttl,
            clock=state.clock,
        )

    @router.post("/logout/all", status_code=204)
    async def logout_all(caller: Caller, state: State) -> None:
        await flows.logout_all(
            state.store, user_id=caller.sub, access_ttl=state.settings.access_ttl, clock=state.clock
        )

    @router.get("/me")
    async def me(caller: Caller, state: State) -> dict[str, Any]:
        user, session = await load_rows(state, caller)
        factor = await state.store.get_totp(user.id)
        return {
            "user": {
                "id": user.id,
                "email": user.email,
                "email_verified": user.email_verified,
                "role": user.role,
                # False for an account made by a sign-in with a provider, until a reset.
                "has_password": user.has_password,
                # A set-up never confirmed is not on: the console offers the set-up again.
                "mfa": {
                    "totp": factor is not None and factor.confirmed,
                    "recovery_codes": await state.store.count_recovery_codes(user.id),
                    "passkeys": await state.store.count_passkeys(user.id),
                },
            },
            "session": _session_json(session, session.id),
        }

    @router.get("/sessions")
    async def sessions(caller: Caller, state: State) -> dict[str, Any]:
        live = await state.store.list_active_sessions(caller.sub, now=state.clock())
        return {"sessions": [_session_json(s, session_of(caller)) for s in live]}

    @router.delete("/sessions/{session_id}", status_code=204)
    async def revoke(session_id: str, caller: Caller, state: State) -> None:
        await flows.revoke_own_session(
            state.store,
            user_id=caller.sub,
            session_id=session_id,
            access_ttl=state.settings.access_ttl,
            clock=state.clock,
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
