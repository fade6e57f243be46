"""Sign-in with a provider: the redirect out, the callback, and linking from a signed-in account.

- ``GET /oidc/providers``: the configured providers' names and labels (the
  console's buttons; nothing secret).
- ``GET /oidc/{name}/login?return_to=``: ``return_to`` checked against the
  allow-list, a fresh handshake sealed into the handshake cookie, 302 to the
  provider.
- ``GET /oidc/{name}/callback``: the handshake cookie opened and dropped, the
  ``state`` compared, a provider ``error`` ends there, the code redeemed and
  the id_token verified (``gatepass.federation``), then the flow
  (``flows.federated``): cookies exactly as a password login in cookie mode,
  302 to ``return_to``. A user with TOTP on is sent to the console's second
  step (``/#mfa_token=...``: a fragment never reaches a server or a log).
- ``POST /oidc/{name}/link``: signed in recently (``recent_login``: a new way
  into the account, as adding a passkey; CSRF checked for a cookie caller),
  answers ``{"location"}`` for the browser to go to; its callback links the
  identity to the caller's account. A POST, not a GET: a link started from
  another site's page could tie the account to an identity the attacker
  controls at the provider.

Every failure of the browser's legs (login, callback) is a 302 to the
console's ``/oidc-error?error=<code>`` (a JSON error when the console is
off): codes only, nothing the provider or the browser sent. The per-IP
login limit counts each start and each callback.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from gatepass.errors import FederationDeniedError, FederationStateError, GatepassError
from gatepass.federation import handshake as handshakes
from gatepass.federation.handshake import HANDSHAKE_TTL, Handshake
from gatepass.federation.returnto import checked_return_to, origin_of
from gatepass.flows.federated import federated_login, link_identity
from gatepass.flows.mfa_login import MfaRequired
from gatepass.server.auth import Principal, session_of
from gatepass.server.cookies import (
    clear_handshake_cookie,
    handshake_cookie_name,
    set_handshake_cookie,
)
from gatepass.server.delivery import deliver
from gatepass.server.errors import error_response
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.recent_login import recent_login
from gatepass.server.requester import requester_of
from gatepass.server.state import ServerState, get_state
from gatepass.settings import Settings

__all__ = ["ERROR_PAGE", "oidc_router"]

log = logging.getLogger("gatepass.federation")

#: The console's page for a sign-in that failed (``?error=<code>``).
ERROR_PAGE: Final = "/oidc-error"
_MAX_PARAM: Final = 4096

State = Annotated[ServerState, Depends(get_state)]
# Linking adds a way into the account: a recent login, as adding a passkey.
FreshCaller = Annotated[Principal, Depends(recent_login)]


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    return_to: str | None = Field(default=None, max_length=2048)


def oidc_router(settings: Settings) -> APIRouter:
    router = APIRouter(route_class=JsonRoute)
    prefix = settings.auth_prefix
    configured = frozenset(p.name for p in settings.providers)

    def callback_path(name: str) -> str:
        return f"{prefix}/oidc/{name}/callback"

    def redirect_uri(name: str) -> str:
        return settings.issuer.rstrip("/") + callback_path(name)

    def return_origins() -> tuple[str, ...]:
        app = origin_of(settings.app_url or settings.issuer)
        return (app, origin_of(settings.issuer), *settings.oidc_return_origins)

    def failed(exc: GatepassError, name: str | None = None) -> Response:
        answer: Response
        if settings.console:
            answer = RedirectResponse(f"{ERROR_PAGE}?error={quote(exc.code)}", 302)
            answer.headers["Cache-Control"] = "no-store"
        else:
            answer = error_response(exc)
        if name is not None:
            clear_handshake_cookie(answer, settings, path=callback_path(name))
        return answer

    async def redirect_out(state: ServerState, handshake: Handshake) -> str:
        client = state.federation.client(handshake.provider)
        return await client.authorization_url(handshake, redirect_uri(handshake.provider))

    def with_handshake(response: Response, state: ServerState, handshake: Handshake) -> None:
        sealed = handshakes.seal(handshake, state.handshake_sealer)
        set_handshake_cookie(
            response,
            settings,
            value=sealed,
            path=callback_path(handshake.provider),
            max_age=HANDSHAKE_TTL,
        )

    @router.get("/oidc/providers")
    async def providers(state: State) -> dict[str, Any]:
        return {"providers": state.federation.public()}

    @router.get("/oidc/{name}/login", status_code=302, response_class=Response)
    async def login(name: str, request: Request, state: State) -> Response:
        """Start a sign-in with the provider: 302 to its authorization endpoint."""
        try:
            await state.limits.check("login:ip", _ip(request, state))
            state.federation.client(name)  # NotFoundError before anything else
            return_to = checked_return_to(
                request.query_params.get("return_to"), origins=return_origins()
            )
            handshake = handshakes.begin(name, return_to, now=state.clock())
            location = await redirect_out(state, handshake)
        except GatepassError as exc:
            return failed(exc)
        answer = RedirectResponse(location, 302)
        answer.headers["Cache-Control"] = "no-store"
        with_handshake(answer, state, handshake)
        return answer

    @router.get("/oidc/{name}/callback", status_code=302, response_class=Response)
    async def callback(name: str, request: Request, state: State) -> Response:
        """The provider's redirect back: verify everything, then sign in (or link)."""
        try:
            return await _complete(name, request, state)
        except GatepassError as exc:
            # Only a configured name goes into a log line or a cookie's Path.
            known = name if name in configured else None
            log.info("a sign-in with %s failed: %s", known or "?", exc.code)
            return failed(exc, known)

    async def _complete(name: str, request: Request, state: State) -> Response:
        who = requester_of(request, state)
        await state.limits.check("login:ip", who.ip or "unknown")
        client = state.federation.client(name)
        now = state.clock()
        cookie = request.cookies.get(handshake_cookie_name(settings))
        handshake = handshakes.open_sealed(cookie, state.handshake_sealer, provider=name, now=now)
        params = request.query_params
        handshake.check_state(_param(params.get("state")))
        client.check_response_issuer(params.get("iss"))
        if params.get("error") is not None:
            raise FederationDeniedError()
        code = _param(params.get("code"))
        if not code:
            raise FederationStateError()
        account = await client.redeem(code, handshake, redirect_uri(name), now=now)
        if handshake.link_user is not None and handshake.link_session is not None:
            await link_identity(
                state.store,
                account,
                user_id=handshake.link_user,
                session_id=handshake.link_session,
                clock=state.clock,
            )
            answer: Response = RedirectResponse(handshake.return_to, 302)
        else:
            grant = await federated_login(
                state.store,
                state.grants,
                account,
                requester=who,
                session_ttl=state.settings.session_ttl,
                clock=state.clock,
                registration_open=state.settings.registration_open,
                verified_email_required=state.settings.verified_email_required,
            )
            if isinstance(grant, MfaRequired):
                methods = ",".join(grant.methods)
                answer = RedirectResponse(
                    f"/#mfa_token={quote(grant.mfa_token)}&methods={methods}", 302
                )
            else:
                answer = RedirectResponse(handshake.return_to, 302)
                deliver(state, answer, grant, True)
        answer.headers["Cache-Control"] = "no-store"
        clear_handshake_cookie(answer, settings, path=callback_path(name))
        return answer

    @router.post("/oidc/{name}/link")
    async def link(
        name: str,
        caller: FreshCaller,
        response: Response,
        state: State,
        body: LinkBody | None = None,
    ) -> dict[str, str]:
        """Link a provider to the caller's account: go to ``location``, sign in there."""
        state.federation.client(name)
        return_to = checked_return_to(body.return_to if body else None, origins=return_origins())
        handshake = handshakes.begin(
            name,
            return_to,
            now=state.clock(),
            link_user=caller.sub,
            link_session=session_of(caller),
        )
        location = await redirect_out(state, handshake)
        response.headers["Cache-Control"] = "no-store"
        with_handshake(response, state, handshake)
        return {"location": location}

    return router


def _ip(request: Request, state: ServerState) -> str:
    return requester_of(request, state).ip or "unknown"


def _param(value: str | None) -> str | None:
    return None if value is None or len(value) > _MAX_PARAM else value
