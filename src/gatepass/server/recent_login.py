"""The sensitive routes' demand for a recent login (``flows.freshness``), delivered.

``require_recent_login`` is called by a route that takes a proof in its body
(a password, a code); ``recent_login`` is the FastAPI dependency for a route
that takes none: ``caller: Annotated[Principal, Depends(recent_login)]``.
Both judge the session's ``auth_time`` (its start, or its last
``POST /reauthenticate``) against ``GATEPASS_REAUTH_MAX_AGE``; a stale one is
401 ``insufficient_user_authentication`` with RFC 9470's ``max_age``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gatepass.flows.freshness import Proofs, ensure_recent_login
from gatepass.server.auth import Principal, current_principal, load_rows
from gatepass.server.requester import requester_of
from gatepass.server.state import ServerState, get_state

__all__ = ["recent_login", "require_recent_login"]


async def require_recent_login(
    state: ServerState, request: Request, caller: Principal, proofs: Proofs
) -> None:
    """Nothing when the caller's login is recent or ``proofs`` stand in for one."""
    user, session = await load_rows(state, caller)
    await ensure_recent_login(
        state.store,
        state.passwords,
        state.totp_sealer,
        state.limits,
        user=user,
        auth_time=session.auth_time,
        max_age=state.settings.reauth_max_age,
        proofs=proofs,
        requester=requester_of(request, state),
        clock=state.clock,
    )


async def recent_login(
    request: Request,
    caller: Annotated[Principal, Depends(current_principal)],
    state: Annotated[ServerState, Depends(get_state)],
) -> Principal:
    """The caller, when their login is recent (a route with no proof in its body)."""
    await require_recent_login(state, request, caller, Proofs())
    return caller
