"""The passkey routes: register, log in with a passkey alone, the second step after a
password, and a user's list (rename, remove).

Parsing, CSRF (through ``current_principal`` for cookie callers) and delivery
only; each route calls one flow (``flows.passkeys``, ``flows.passkeys_login``,
``flows.passkeys_mfa``). ``credential`` is the browser's
``PublicKeyCredential`` in its JSON form (``server.passkey_bodies``: its
shape; py_webauthn judges what it holds). A passkey's answer carries no key
material. A passkey's id in a path is 32 hex digits, else the path is no
route. The options answers are ``Cache-Control: no-store``.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.convertors import Convertor, register_url_convertor

from gatepass.flows import passkeys, passkeys_login, passkeys_mfa
from gatepass.server.auth import Principal, current_principal
from gatepass.server.delivery import deliver
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.passkey_bodies import AssertionJson, RegistrationJson, credential_dict
from gatepass.server.recent_login import recent_login
from gatepass.server.requester import requester_of
from gatepass.server.state import ServerState, get_state
from gatepass.store.passkeys import Passkey

__all__ = ["PasskeyIdConvertor", "passkey_json", "passkeys_router"]

State = Annotated[ServerState, Depends(get_state)]
Caller = Annotated[Principal, Depends(current_principal)]
# Adding or removing a passkey changes how the account is entered: a recent login.
FreshCaller = Annotated[Principal, Depends(recent_login)]
PasskeyId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]

# What a passkey's name may hold is flows.passkeys.checked_name's rule (422 when not).
_MFA_TOKEN = Field(min_length=1, max_length=1024)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RegisterBody(_Body):
    credential: RegistrationJson
    name: str | None = Field(default=None, min_length=1, max_length=passkeys.MAX_NAME)


class LoginBody(_Body):
    credential: AssertionJson
    cookies: bool = False


class RenameBody(_Body):
    name: str = Field(min_length=1, max_length=passkeys.MAX_NAME)


class MfaOptionsBody(_Body):
    mfa_token: str = _MFA_TOKEN


class PasskeyIdConvertor(Convertor[str]):
    """A passkey's id in a path (``new_id``: 32 hex digits), so that ``/passkeys/login``
    and ``/passkeys/register`` are never taken for one (405, not a passkey's 404)."""

    regex = "[0-9a-f]{32}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("passkey_id", PasskeyIdConvertor())


def passkey_json(passkey: Passkey) -> dict[str, Any]:
    """A passkey as its owner sees it: never its public key."""
    return {
        "id": passkey.id,
        "name": passkey.name,
        "credential_id": base64.urlsafe_b64encode(passkey.credential_id).rstrip(b"=").decode(),
        "created_at": passkey.created_at,
        "last_used_at": passkey.last_used_at,
        "transports": list(passkey.transports),
        "backup_eligible": passkey.backup_eligible,
        "backup_state": passkey.backup_state,
        "aaguid": passkey.aaguid,
    }


def passkeys_router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)

    @router.post("/passkeys/register/options")
    async def register_options(
        caller: FreshCaller, response: Response, state: State
    ) -> dict[str, Any]:
        """``PublicKeyCredentialCreationOptions`` for ``navigator.credentials.create()``."""
        response.headers["Cache-Control"] = "no-store"
        return await passkeys.registration_options(
            state.store, state.settings.relying_party, user_id=caller.sub, clock=state.clock
        )

    @router.post("/passkeys/register", status_code=201)
    async def register(
        body: RegisterBody, request: Request, caller: FreshCaller, state: State
    ) -> dict[str, Any]:
        """Keep the passkey ``navigator.credentials.create()`` made."""
        passkey = await passkeys.register_passkey(
            state.store,
            state.settings.relying_party,
            user_id=caller.sub,
            credential=credential_dict(body.credential),
            name=body.name,
            requester=requester_of(request, state),
            clock=state.clock,
        )
        return passkey_json(passkey)

    @router.post("/passkeys/login/options")
    async def login_options(request: Request, response: Response, state: State) -> dict[str, Any]:
        """Options for a discoverable ``navigator.credentials.get()``: no email needed."""
        await state.limits.check("login:ip", requester_of(request, state).ip or "unknown")
        response.headers["Cache-Control"] = "no-store"
        return await passkeys_login.login_options(
            state.store, state.settings.relying_party, clock=state.clock
        )

    @router.post("/passkeys/login")
    async def login(
        body: LoginBody, request: Request, response: Response, state: State
    ) -> dict[str, Any]:
        """A passkey alone: the usual login answer (body, or cookies when asked)."""
        grant = await passkeys_login.passkey_login(
            state.store,
            state.settings.relying_party,
            state.limits,
            state.grants,
            credential=credential_dict(body.credential),
            requester=requester_of(request, state),
            session_ttl=state.settings.session_ttl,
            clock=state.clock,
            verified_email_required=state.settings.verified_email_required,
        )
        return deliver(state, response, grant, body.cookies)

    @router.post("/mfa/passkey/options")
    async def mfa_options(body: MfaOptionsBody, response: Response, state: State) -> dict[str, Any]:
        """Options for the second step's ``navigator.credentials.get()`` (the
        ``mfa_token`` stays live; the answer goes to ``POST /mfa/verify``)."""
        response.headers["Cache-Control"] = "no-store"
        return await passkeys_mfa.mfa_passkey_options(
            state.store, state.settings.relying_party, presented=body.mfa_token, clock=state.clock
        )

    @router.get("/passkeys")
    async def list_passkeys(caller: Caller, state: State) -> dict[str, Any]:
        return {"passkeys": [passkey_json(p) for p in await state.store.list_passkeys(caller.sub)]}

    @router.patch("/passkeys/{passkey_id:passkey_id}")
    async def rename(
        passkey_id: PasskeyId, body: RenameBody, caller: Caller, state: State
    ) -> dict[str, Any]:
        renamed = await passkeys.rename_passkey(
            state.store, user_id=caller.sub, passkey_id=passkey_id, name=body.name
        )
        return passkey_json(renamed)

    @router.delete("/passkeys/{passkey_id:passkey_id}", status_code=204)
    async def delete(
        passkey_id: PasskeyId, request: Request, caller: FreshCaller, state: State
    ) -> None:
        await passkeys.delete_passkey(
            state.store,
            user_id=caller.sub,
            passkey_id=passkey_id,
            requester=requester_of(request, state),
            clock=state.clock,
        )

    return router
