"""The account routes: verify an address, forgotten and changed passwords, a new address, deletion.

Parsing, CSRF (through ``current_principal`` for cookie callers) and delivery
only; each route calls one flow of ``gatepass.flows``. The routes anyone may
call about an address (``/verify-email/request`` without a token,
``/password/forgot``) count the client, answer 202 with one fixed body, and
leave the lookup and the mail to ``state.deferred``: the answer and its timing
are the same whether or not the address has an account. The routes that take
a mailed token count the client too (``link:ip``).

The sensitive changes (password, address, deletion) need a recent login or a
fresh proof (``recent_login.require_recent_login``): each already takes the
password, and takes a TOTP ``code`` besides when the user has TOTP on and the
login is older than ``GATEPASS_REAUTH_MAX_AGE``. ``POST /reauthenticate``
freshens the login instead (``flows.reauth.reauthenticate``).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gatepass import flows
from gatepass.flows.freshness import Proofs
from gatepass.flows.reauth import reauthenticate
from gatepass.identity.emails import MAX_EMAIL_LENGTH, sign_in_email
from gatepass.server.auth import Principal, current_principal, load_rows, session_of
from gatepass.server.cookies import clear_cookies
from gatepass.server.delivery import deliver_reauthenticated
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.recent_login import require_recent_login
from gatepass.server.requester import requester_of
from gatepass.server.state import ServerState, get_state
from gatepass.store.records import User
from gatepass.store.rotation import Requester

__all__ = ["ACCEPTED", "account_router"]

State = Annotated[ServerState, Depends(get_state)]
Caller = Annotated[Principal, Depends(current_principal)]

#: The one answer to "mail this address": it never says whether it has an account.
ACCEPTED: Final = {"message": "If the address belongs to an account, a mail is on its way."}

_EMAIL = Field(max_length=MAX_EMAIL_LENGTH, json_schema_extra={"format": "email"})
# An address to look an account up by: what a sign-in accepts, which includes
# addresses stored before today's rule (``identity.sign_in_email``), so no format.
_SIGN_IN_EMAIL = Field(max_length=MAX_EMAIL_LENGTH)
# A mailed token is 43 characters; anything else is refused as invalid_token by the
# flow (one answer for every bad token), not as a validation error.
_TOKEN = Field(max_length=1024)
_PASSWORD = Field(min_length=1, max_length=1024)
_NEW_PASSWORD = Field(min_length=8, max_length=1024)
# A TOTP code given as the proof of a stale login; judged by the flow (one answer).
_CODE = Field(default=None, min_length=1, max_length=64)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class VerifyRequestBody(_Body):
    email: str | None = Field(default=None, max_length=MAX_EMAIL_LENGTH)


class EmailBody(_Body):
    email: str = _SIGN_IN_EMAIL


class TokenBody(_Body):
    token: str = _TOKEN


class ResetBody(_Body):
    token: str = _TOKEN
    password: str = _NEW_PASSWORD


class PasswordChangeBody(_Body):
    current_password: str = _PASSWORD
    new_password: str = _NEW_PASSWORD
    code: str | None = _CODE


class EmailChangeBody(_Body):
    new_email: str = _EMAIL
    password: str = _PASSWORD
    code: str | None = _CODE


class PasswordBody(_Body):
    password: str = _PASSWORD
    code: str | None = _CODE


def _with_password(code: str | None) -> Proofs:
    """The proofs of a change whose flow checks the password itself: a code besides."""
    return Proofs(code=code, checked=("password",))


def _address(user: User) -> dict[str, Any]:
    return {"email": user.email, "email_verified": user.email_verified}


def account_router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)

    async def count(state: ServerState, scope: str, client: Requester) -> None:
        await state.limits.check(scope, client.ip or "unknown")

    @router.post("/verify-email/request", status_code=202)
    async def request_verification(
        request: Request, state: State, body: VerifyRequestBody | None = None
    ) -> dict[str, str]:
        """Mail a verification link: to the caller (with an access token) or to ``email``."""
        client = requester_of(request, state)
        if body is None or body.email is None:
            caller = await current_principal(request, state)
            user, _ = await load_rows(state, caller)
            await count(state, "mail:ip", client)
            await flows.send_verification(
                state.store, state.mailer, state.limits, user=user, clock=state.clock
            )
            return ACCEPTED
        email = sign_in_email(body.email)  # 422 for what is no address, whoever asks
        await count(state, "mail:ip", client)
        state.deferred.later(
            flows.request_verification(
                state.store, state.mailer, state.limits, email=email, clock=state.clock
            )
        )
        return ACCEPTED

    @router.post("/verify-email")
    async def verify_email(body: TokenBody, request: Request, state: State) -> dict[str, Any]:
        await count(state, "link:ip", requester_of(request, state))
        user = await flows.verify_email(state.store, presented=body.token, clock=state.clock)
        return _address(user)

    @router.post("/password/forgot", status_code=202)
    async def forgot_password(body: EmailBody, request: Request, state: State) -> dict[str, str]:
        email = sign_in_email(body.email)
        await count(state, "mail:ip", requester_of(request, state))
        state.deferred.later(
            flows.request_password_reset(
                state.store, state.mailer, state.limits, email=email, clock=state.clock
            )
        )
        return ACCEPTED

    @router.post("/password/reset", status_code=204)
    async def reset_password(body: ResetBody, request: Request, state: State) -> None:
        client = requester_of(request, state)
        await count(state, "link:ip", client)
        await flows.reset_password(
            state.store,
            state.passwords,
            state.limits,
            state.mailer,
            presented=body.token,
            password=body.password,
            requester=client,
            access_ttl=state.settings.access_ttl,
            clock=state.clock,
        )

    @router.post("/password/change", status_code=204)
    async def change_password(
        body: PasswordChangeBody, request: Request, caller: Caller, state: State
    ) -> None:
        await require_recent_login(state, request, caller, _with_password(body.code))
        await flows.change_password(
            state.store,
            state.passwords,
            state.limits,
            state.mailer,
            user_id=caller.sub,
            session_id=session_of(caller),
            current_password=body.current_password,
            new_password=body.new_password,
            requester=requester_of(request, state),
            access_ttl=state.settings.access_ttl,
            clock=state.clock,
        )

    @router.post("/email/change", status_code=202)
    async def change_email(
        body: EmailChangeBody, request: Request, caller: Caller, state: State
    ) -> dict[str, str]:
        client = requester_of(request, state)
        await require_recent_login(state, request, caller, _with_password(body.code))
        await count(state, "mail:ip", client)
        await flows.request_email_change(
            state.store,
            state.passwords,
            state.limits,
            state.mailer,
            user_id=caller.sub,
            new_email=body.new_email,
            password=body.password,
            requester=client,
            clock=state.clock,
        )
        return ACCEPTED

    @router.post("/email/confirm")
    async def confirm_email(body: TokenBody, request: Request, state: State) -> dict[str, Any]:
        await count(state, "link:ip", requester_of(request, state))
        user = await flows.confirm_email_change(
            state.store, presented=body.token, clock=state.clock
        )
        return _address(user)

    @router.delete("/me", status_code=204)
    async def delete_me(
        body: PasswordBody, request: Request, response: Response, caller: Caller, state: State
    ) -> None:
        await require_recent_login(state, request, caller, _with_password(body.code))
        await flows.delete_account(
            state.store,
            state.passwords,
            state.limits,
            state.mailer,
            user_id=caller.sub,
            password=body.password,
            requester=requester_of(request, state),
            access_ttl=state.settings.access_ttl,
            clock=state.clock,
        )
        clear_cookies(response, state.settings)

    @router.post("/reauthenticate")
    async def reauthenticate_route(
        body: PasswordBody, request: Request, response: Response, caller: Caller, state: State
    ) -> dict[str, Any]:
        """Log in again inside this session (the password, and a code with TOTP on): a new
        access token with a new ``auth_time``; the refresh token stays as it is."""
        client = requester_of(request, state)
        await count(state, "login:ip", client)  # a password guess, as at /login
        done = await reauthenticate(
            state.store,
            state.passwords,
            state.totp_sealer,
            state.limits,
            state.grants,
            user_id=caller.sub,
            session_id=session_of(caller),
            password=body.password,
            code=body.code,
            requester=client,
            clock=state.clock,
        )
        # current_principal took the cookie exactly when no Authorization header came.
        cookies = "authorization" not in request.headers
        return deliver_reauthenticated(state, response, done, cookies)

    return router
