"""The flows: what a login, a refresh, a replay or a logout does, free of HTTP.

One module per flow. Each is a coroutine that takes plain values (the store,
the ``GrantIssuer``, lifetimes from the settings, the requester's ip and
user agent, a ``Clock``) and returns a result (``TokenGrant``, ...) or raises
a ``gatepass.errors`` error. The flows read the rotation decision and write
the audit events; the routes (``gatepass.server``) keep only parsing, CSRF
and delivery (JSON body, cookies, RFC 6749 answers). A new flow is a new
module here, and a route that calls it.
"""

from __future__ import annotations

from gatepass.flows.grant import GrantIssuer, Rotation, TokenGrant
from gatepass.flows.login import login
from gatepass.flows.logout import logout, logout_all, revoke_own_session, revoke_session
from gatepass.flows.refresh import refresh
from gatepass.flows.register import register
from gatepass.flows.replay import GraceReplay, ReplayOutcome, ReuseDetected, replay

__all__ = [
    "GraceReplay",
    "GrantIssuer",
    "ReplayOutcome",
    "ReuseDetected",
    "Rotation",
    "TokenGrant",
    "login",
    "logout",
    "logout_all",
    "refresh",
    "register",
    "replay",
    "revoke_own_session",
    "revoke_session",
]
