"""The OAuth 2.0 endpoints discovery advertises: token (RFC 6749), revocation (RFC 7009).

``POST {prefix}/token`` takes an ``application/x-www-form-urlencoded`` body
with ``grant_type=refresh_token`` and ``refresh_token`` (RFC 6749 §6) and runs
the same refresh flow as ``POST {prefix}/refresh`` (``gatepass.flows.refresh``):
rotation, reuse detection and the audit trail are that flow's. It answers
RFC 6749 §5.1 (``access_token``, ``token_type``, ``expires_in``,
``refresh_token``; ``Cache-Control: no-store``) or §5.2 errors. Clients are
public (``token_endpoint_auth_methods_supported: ["none"]``): a ``client_id``
is accepted and not checked, since gatepass registers no clients; a
``client_secret`` is refused as ``invalid_client`` (it cannot be checked). gatepass has no
scopes, so a requested ``scope`` is ``invalid_scope``.

``POST {prefix}/revoke`` takes ``token`` (a refresh or an access token) and
ends its session, as logout does; like RFC 7009 §2.2 asks it answers 200 for
a token it does not know, so it tells nobody which tokens exist.

Only password login issues the first refresh token: gatepass implements no
other grant and advertises none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import FormData

from gatepass import flows
from gatepass.errors import GatepassError, JoseError
from gatepass.server.errors import oauth_error, oauth_error_response
from gatepass.server.proxy import client_ip
from gatepass.server.requester import requester_of
from gatepass.server.state import ServerState, get_state
from gatepass.store.records import hash_token

__all__ = ["token_router"]

State = Annotated[ServerState, Depends(get_state)]
Handler = Callable[[ServerState, Request, FormData], Awaitable[Response]]

FORM: Final = "application/x-www-form-urlencoded"
MAX_TOKEN_CHARS: Final = 512  # what /refresh accepts
_NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}


# The parameters, declared so that OpenAPI (and FastAPI) know these are form
# endpoints; _form reads and checks them itself, for RFC 6749 errors.
class TokenForm(BaseModel):
    grant_type: str | None = None
    refresh_token: str | None = None
    client_id: str | None = None
    scope: str | None = None


class RevokeForm(BaseModel):
    token: str | None = None
    token_type_hint: str | None = None
    client_id: str | None = None


class _Refused(Exception):
    """A request the endpoint answers with an RFC 6749 §5.2 error."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


async def _form(request: Request, declared: type[BaseModel]) -> FormData:
    """The urlencoded body; RFC 6749 §3.2: each parameter at most once, no client secret."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != FORM:
        raise _Refused("invalid_request", "The body must be application/x-www-form-urlencoded")
    if "client_secret" in (form := await request.form()):
        raise _Refused("invalid_client", "Clients are public: no client authentication", 401)
    names = declared.model_fields
    if any(len(form.getlist(name)) > 1 for name in names):
        raise _Refused("invalid_request", "A parameter is repeated")
    if any(not isinstance(form.get(name), str | None) for name in names):
        raise _Refused("invalid_request", "Parameters must be text")
    return form


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


async def _answer(
    request: Request, state: ServerState, declared: type[BaseModel], handle: Handler
) -> Response:
    """Read the form, count the request against the refresh limit, run ``handle``.

    Every refusal, gatepass's own errors included, is an RFC 6749 §5.2 body.
    """
    try:
        form = await _form(request, declared)
        ip = client_ip(request.scope, state.settings.trusted_networks)
        await state.limits.check("refresh:ip", ip or "unknown")
        return await handle(state, request, form)
    except _Refused as refused:
        return oauth_error(refused.error, refused.description, refused.status)
    except GatepassError as exc:
        return oauth_error_response(exc)


async def _grant(state: ServerState, request: Request, form: FormData) -> Response:
    grant = _text(form, "grant_type")
    if grant is None:
        raise _Refused("invalid_request", "grant_type is required")
    if grant != "refresh_token":
        raise _Refused("unsupported_grant_type", "Only refresh_token is supported")
    if _text(form, "scope") is not None:
        raise _Refused("invalid_scope", "gatepass tokens carry no scopes")
    presented = _text(form, "refresh_token")
    if presented is None:
        raise _Refused("invalid_request", "refresh_token is required")
    if len(presented) > MAX_TOKEN_CHARS:
        raise _Refused("invalid_grant", "Invalid or expired token")
    issued = await flows.refresh(
        state.store,
        state.rotation,
        state.grants,
        presented=presented,
        requester=requester_of(request, state),
        clock=state.clock,
    )
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
    }
    return JSONResponse(body, headers=_NO_STORE)


async def _revocation(state: ServerState, request: Request, form: FormData) -> Response:
    presented = _text(form, "token")
    if presented is None:
        raise _Refused("invalid_request", "token is required")
    await _revoke(state, presented)
    return Response(status_code=200, headers=_NO_STORE)


def token_router() -> APIRouter:
    router = APIRouter()

    @router.post("/token", response_class=JSONResponse, tags=["oauth"])
    async def token(request: Request, state: State, _: Annotated[TokenForm, Form()]) -> Response:
        """The RFC 6749 token endpoint: the ``refresh_token`` grant."""
        return await _answer(request, state, TokenForm, _grant)

    @router.post("/revoke", response_class=Response, tags=["oauth"])
    async def revoke(request: Request, state: State, _: Annotated[RevokeForm, Form()]) -> Response:
        """RFC 7009 revocation: the session of a refresh or access token ends."""
        return await _answer(request, state, RevokeForm, _revocation)

    return router


async def _revoke(state: ServerState, presented: str) -> None:
    """End the session ``presented`` belongs to; nothing for a token gatepass did not issue."""
    session_id: str | None = None
    if len(presented) <= MAX_TOKEN_CHARS:
        known = await state.store.get_refresh_token(hash_token(presented))
        session_id = known.session_id if known else None
    if session_id is None:
        try:
            claims = await state.verifier.claims(presented)
        except JoseError:
            return
        session_id = str(claims["sid"])
    await flows.revoke_session(
        state.store, session_id=session_id, access_ttl=state.settings.access_ttl, clock=state.clock
    )
