"""The MFA routes: TOTP set-up, confirmation and removal, recovery codes, a login's second step
(a code, a recovery code or a passkey: ``routes_passkeys`` gives the passkey's options).

Parsing, CSRF (through ``current_principal`` for cookie callers) and delivery
only; each route calls one flow (``flows.mfa``, ``flows.mfa_login``). The
answers that carry a secret or recovery codes are ``Cache-Control: no-store``.
``POST /mfa/verify`` takes no access token (the ``mfa_token`` stands for the
password already proven) and answers as a login does (``delivery.deliver``).

Every change needs a recent login or a fresh proof
(``recent_login.require_recent_login``): turning TOTP off and new recovery
codes take a current code, which is that proof; set-up and confirmation take
an optional ``password`` instead.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable
from typing import Annotated, Any, Protocol, TypeVar
from urllib.parse import urlsplit

import segno
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gatepass.clock import Clock
from gatepass.flows import mfa
from gatepass.flows.freshness import Proofs
from gatepass.flows.mfa_login import verify_mfa
from gatepass.flows.passkeys_mfa import verify_mfa_passkey
from gatepass.flows.services import Limits
from gatepass.server.auth import Principal, current_principal
from gatepass.server.delivery import deliver
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.passkey_bodies import AssertionJson, credential_dict
from gatepass.server.recent_login import require_recent_login
from gatepass.server.requester import requester_of
from gatepass.server.state import ServerState, get_state
from gatepass.store.protocols import Store
from gatepass.store.rotation import Requester
from gatepass.tokens.sealing import Sealer

__all__ = ["mfa_router"]

State = Annotated[ServerState, Depends(get_state)]
Caller = Annotated[Principal, Depends(current_principal)]

# A code is judged by the flow (anything but six digits is a wrong code, one
# answer); the caps only keep megabytes out.
_CODE = Field(min_length=1, max_length=64)


T = TypeVar("T", covariant=True)


class CodeFlow(Protocol[T]):
    """A flow of ``gatepass.flows.mfa`` that takes the caller's current code."""

    def __call__(
        self,
        store: Store,
        sealer: Sealer,
        limits: Limits,
        *,
        user_id: str,
        code: str,
        requester: Requester,
        clock: Clock,
    ) -> Awaitable[T]: ...


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CodeBody(_Body):
    code: str = _CODE


# The password given as the proof of a stale login (set-up and confirmation).
_PROOF_PASSWORD = Field(default=None, min_length=1, max_length=1024)


class SetupBody(_Body):
    password: str | None = _PROOF_PASSWORD


class ConfirmBody(CodeBody):
    password: str | None = _PROOF_PASSWORD


#: A code the change's own flow judges: that code is the proof.
CODE_CHECKED: Proofs = Proofs(checked=("code",))


_MFA_TOKEN = Field(min_length=1, max_length=1024)


class CodeVerifyBody(_Body):
    mfa_token: str = _MFA_TOKEN
    code: str = _CODE


class RecoveryVerifyBody(_Body):
    mfa_token: str = _MFA_TOKEN
    recovery_code: str = _CODE


class PasskeyVerifyBody(_Body):
    mfa_token: str = _MFA_TOKEN
    credential: AssertionJson


def _qr_svg(uri: str) -> str:
    """The URI as a QR code: SVG markup with no XML declaration but with the SVG
    namespace, so that it is an image of its own too (an <img>'s data: URL, as
    the console shows it) and not only markup inside an HTML page."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4)
    return out.getvalue().decode()


def mfa_router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)

    @router.post("/mfa/totp/setup")
    async def setup_totp(
        request: Request,
        response: Response,
        caller: Caller,
        state: State,
        body: SetupBody | None = None,
    ) -> dict[str, str]:
        """A new secret for the caller's authenticator app (TOTP is on once confirmed)."""
        password = None if body is None else body.password
        await require_recent_login(state, request, caller, Proofs(password=password))
        setup = await mfa.setup_totp(
            state.store,
            state.totp_sealer,
            user_id=caller.sub,
            issuer_name=urlsplit(state.settings.issuer).netloc,
            clock=state.clock,
        )
        response.headers["Cache-Control"] = "no-store"
        return {"secret": setup.secret, "otpauth_uri": setup.uri, "qr_svg": _qr_svg(setup.uri)}

    async def with_code(
        flow: CodeFlow[T], body: CodeBody, request: Request, caller: Principal, state: ServerState
    ) -> T:
        """Call a flow that takes the caller's current code."""
        return await flow(
            state.store,
            state.totp_sealer,
            state.limits,
            user_id=caller.sub,
            code=body.code,
            requester=requester_of(request, state),
            clock=state.clock,
        )

    @router.post("/mfa/totp/confirm")
    async def confirm_totp(
        body: ConfirmBody, request: Request, response: Response, caller: Caller, state: State
    ) -> dict[str, list[str]]:
        """Turn TOTP on with a first code; the recovery codes, shown this once."""
        await require_recent_login(state, request, caller, Proofs(password=body.password))
        codes = await with_code(mfa.confirm_totp, body, request, caller, state)
        response.headers["Cache-Control"] = "no-store"
        return {"recovery_codes": codes}

    @router.delete("/mfa/totp", status_code=204)
    async def disable_totp(body: CodeBody, request: Request, caller: Caller, state: State) -> None:
        """Turn TOTP off (its recovery codes die with it) with a current code."""
        await require_recent_login(state, request, caller, CODE_CHECKED)
        await with_code(mfa.disable_totp, body, request, caller, state)

    @router.post("/mfa/recovery-codes")
    async def regenerate_recovery_codes(
        body: CodeBody, request: Request, response: Response, caller: Caller, state: State
    ) -> dict[str, list[str]]:
        """Ten new recovery codes for a current code; the old ones die."""
        await require_recent_login(state, request, caller, CODE_CHECKED)
        codes = await with_code(mfa.regenerate_recovery_codes, body, request, caller, state)
        response.headers["Cache-Control"] = "no-store"
        return {"recovery_codes": codes}

    @router.post("/mfa/verify")
    async def verify(
        body: CodeVerifyBody | RecoveryVerifyBody | PasskeyVerifyBody,
        request: Request,
        response: Response,
        state: State,
    ) -> dict[str, Any]:
        """The login's second step: the ``mfa_token`` and a code, a recovery code or
        a passkey's ``credential`` (options from ``POST /mfa/passkey/options``)."""
        client = requester_of(request, state)
        await state.limits.check("login:ip", client.ip or "unknown")
        if isinstance(body, PasskeyVerifyBody):
            grant, cookies = await verify_mfa_passkey(
                state.store,
                state.settings.relying_party,
                state.limits,
                state.grants,
                presented=body.mfa_token,
                credential=credential_dict(body.credential),
                requester=client,
                session_ttl=state.settings.session_ttl,
                clock=state.clock,
            )
            return deliver(state, response, grant, cookies)
        code = body.code if isinstance(body, CodeVerifyBody) else None
        recovery = body.recovery_code if isinstance(body, RecoveryVerifyBody) else None
        grant, cookies = await verify_mfa(
            state.store,
            state.totp_sealer,
            state.limits,
            state.grants,
            presented=body.mfa_token,
            code=code,
            recovery_code=recovery,
            requester=client,
            session_ttl=state.settings.session_ttl,
            clock=state.clock,
        )
        return deliver(state, response, grant, cookies)

    return router
