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
from gatepass.server.cookies import set_cookies
from gatepass.server.state import ServerState

__all__ = ["deliver", "grant_json", "mfa_required"]


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


def mfa_required(challenge: MfaRequired) -> dict[str, Any]:
    """``{"mfa_required": true, "mfa_token", "methods"}``: log in again at ``/mfa/verify``."""
    return {
        "mfa_required": True,
        "mfa_token": challenge.mfa_token,
        "methods": list(challenge.methods),
    }
