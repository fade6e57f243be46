"""The flows: what a login, a refresh, a replay, a logout or an account change does, free of HTTP.

One module per flow. Each is a coroutine that takes plain values (the store,
the ``GrantIssuer``, lifetimes from the settings, the requester's ip and
user agent, a ``Clock``) and returns a result (``TokenGrant``, ...) or raises
a ``gatepass.errors`` error. The flows read the rotation decision and write
the audit events; the routes (``gatepass.server``) keep only parsing, CSRF
and delivery (JSON body, cookies, RFC 6749 answers). A new flow is a new
module here, and a route that calls it.
"""

from __future__ import annotations

from gatepass.flows.deletion import delete_account
from gatepass.flows.email_change import confirm_email_change, request_email_change
from gatepass.flows.grant import GrantIssuer, Rotation, TokenGrant
from gatepass.flows.login import login
from gatepass.flows.logout import logout, logout_all, revoke_own_session, revoke_session
from gatepass.flows.password_change import change_password
from gatepass.flows.password_reset import request_password_reset, reset_password
from gatepass.flows.refresh import refresh
from gatepass.flows.register import (
    NewAccount,
    create_account,
    create_account_quietly,
    prepare_registration,
)
from gatepass.flows.replay import GraceReplay, ReplayOutcome, ReuseDetected, replay
from gatepass.flows.verification import request_verification, send_verification, verify_email

__all__ = [
    "GraceReplay",
    "GrantIssuer",
    "NewAccount",
    "ReplayOutcome",
    "ReuseDetected",
    "Rotation",
    "TokenGrant",
    "change_password",
    "confirm_email_change",
    "create_account",
    "create_account_quietly",
    "delete_account",
    "login",
    "logout",
    "logout_all",
    "prepare_registration",
    "refresh",
    "replay",
    "request_email_change",
    "request_password_reset",
    "request_verification",
    "reset_password",
    "revoke_own_session",
    "revoke_session",
    "send_verification",
    "verify_email",
]
