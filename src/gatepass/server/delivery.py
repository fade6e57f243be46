"""How a login's answer reaches the client: tokens in the body or in cookies, or the MFA step.

``deliver`` is the one place a ``TokenGrant`` becomes an answer (login,
refresh, the MFA step); ``mfa_required`` is the answer of a right password
for a user with TOTP on, which carries no tokens and sets no cookies.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response

from gatepass.flows.grant import TokenGrant
from gatepass.flows.mfa_login import MfaRequired
from gatepass.flows.reauth import Reauthenticated
from gatepass.server.cookies import set_access_cookie, set_cookies
from gatepass.server.state import ServerState

__all__ = ["deliver", "deliver_reauthenticated", "grant_json", "mfa_required"]


def grant_json(grant: TokenGrant) -> dict[str, Any]:
    """The JSON body of a login or a refresh in bearer mode (a refresh names its tokens' ids)."""
    body: dict[str, Any] = {
        "access_token": grant.access_token,
        "token_type": "Bearer",
        "expires_in": grant.expires_in,
        "refresh_token": grant.refresh_token,
        "refresh_expires_in": grant.refresh_expires_in,
        "session_id": grant.session_id,
    }
    if grant.rotation is not None:
        body["refresh_id"] = grant.rotation.refresh_id
        body["previous_refresh_id"] = grant.rotation.previous_refresh_id
    return body


def deliver(
    state: ServerState, response: Response, grant: TokenGrant, cookies: bool
) -> dict[str, Any]:
    """Bearer mode: tokens in the body. Cookie mode: tokens in cookies, CSRF in both.

    In cookie mode the refresh token never reaches JavaScript. The access token
    is copied into the body only for the web console, which shows its three
    parts; with the console off (``GATEPASS_CONSOLE=false``) the body carries
    no token at all, so script on the page cannot read one either.
    """
    response.headers["Cache-Control"] = "no-store"
    tokens = grant_json(grant)
    if not cookies:
        return tokens
    csrf = state.csrf.token(grant.session_id)
    set_cookies(
        response,
        state.settings,
        access=grant.access_token,
        refresh=tokens.pop("refresh_token"),
        csrf=csrf,
    )
    if not state.settings.console:
        del tokens["access_token"]
    return {**tokens, "csrf_token": csrf}


def deliver_reauthenticated(
    state: ServerState, response: Response, done: Reauthenticated, cookies: bool
) -> dict[str, Any]:
    """A re-authentication's new access token, as ``deliver`` hands out a login's (the
    cookie alone in cookie mode: the refresh token and the CSRF token stay)."""
    response.headers["Cache-Control"] = "no-store"
    body: dict[str, Any] = {
        "access_token": done.access_token,
        "token_type": "Bearer",
        "expires_in": state.settings.access_ttl,
        "session_id": done.session.id,
        "auth_time": int(done.session.auth_time),
        "amr": list(done.session.amr),
    }
    if cookies:
        set_access_cookie(response, state.settings, done.access_token)
        if not state.settings.console:
            del body["access_token"]
    return body


def mfa_required(challenge: MfaRequired) -> dict[str, Any]:
    """``{"mfa_required": true, "mfa_token", "methods"}``: log in again at ``/mfa/verify``."""
    return {
        "mfa_required": True,
        "mfa_token": challenge.mfa_token,
        "methods": list(challenge.methods),
    }
