"""The signed-in user's federated identities: list them, unlink one.

``GET /identities``: ``{"identities": [{id, provider, subject, email,
created_at, last_login_at}]}``. ``DELETE /identities/{provider}/{key}`` (``key``
the identity's id or its subject at the provider): a recent login
(``recent_login``, as deleting a passkey), 204; 404 for none of the
caller's; 409 ``last_sign_in_method`` when it is the only way in (no password
and one identity). Linking is ``POST /oidc/{name}/link``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from gatepass.errors import NotFoundError
from gatepass.flows.federated import unlink_identity
from gatepass.server.auth import Principal, current_principal
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.recent_login import recent_login
from gatepass.server.state import ServerState, get_state
from gatepass.store.identities import Identity

__all__ = ["identities_router", "identity_json"]

State = Annotated[ServerState, Depends(get_state)]
Caller = Annotated[Principal, Depends(current_principal)]
FreshCaller = Annotated[Principal, Depends(recent_login)]


def identity_json(identity: Identity) -> dict[str, Any]:
    return {
        "id": identity.id,
        "provider": identity.provider,
        "subject": identity.subject,
        "email": identity.email,
        "created_at": identity.created_at,
        "last_login_at": identity.last_login_at,
    }


def identities_router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)

    @router.get("/identities")
    async def identities(caller: Caller, state: State) -> dict[str, Any]:
        own = await state.store.list_identities(caller.sub)
        return {"identities": [identity_json(i) for i in own]}

    @router.delete("/identities/{provider}/{key:path}", status_code=204)
    async def unlink(provider: str, key: str, caller: FreshCaller, state: State) -> None:
        own = await state.store.list_identities(caller.sub)
        target = next((i for i in own if i.provider == provider and key in (i.id, i.subject)), None)
        if target is None:
            raise NotFoundError("No such identity")
        await unlink_identity(
            state.store, user_id=caller.sub, identity_id=target.id, clock=state.clock
        )

    return router
