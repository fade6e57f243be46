"""The revocation feed: ``GET {auth_prefix}/revocations?since=<seq>&limit=<n>``.

Resource servers (``gatepass.protect``) poll it to refuse revoked access
tokens without a database of their own. The answer is ``{"entries": [...],
"cursor": <int>}``: entries with ``seq > since`` in seq order (the wire form
of ``gatepass.revocation.entry_to_json``), and the cursor to send next time
(the highest seq returned, or ``since`` when there was none).

Entries become visible in seq order (the store serialises their inserts), so
a poller that advances its cursor never skips one. An entry expired and
purged before a poller read it no longer matters: its tokens have expired.

Access: ``Authorization: Bearer <GATEPASS_REVOCATION_FEED_TOKEN>``, compared
in constant time. Without that setting the route answers 404; a missing or
wrong token is a 401 (checked before the query, so a stranger learns nothing
from 422s).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from gatepass.errors import InvalidTokenError, MissingTokenError, NotFoundError
from gatepass.revocation import entry_to_json
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.middleware import mark_credentialed
from gatepass.server.state import ServerState, get_state
from gatepass.store.validation import MAX_PAGE
from gatepass.tokens.bearer import authorization_header

__all__ = ["feed_router"]

MAX_SEQ = 2**63 - 1
State = Annotated[ServerState, Depends(get_state)]


def _feed_caller(request: Request, state: State) -> None:
    """Raise unless the request carries the configured feed token."""
    mark_credentialed(request.scope)
    expected = state.settings.revocation_feed_token
    if expected is None:
        raise NotFoundError()
    header = authorization_header(request.scope)
    if header is None:
        raise MissingTokenError()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.encode("utf-8"), expected.get().encode("utf-8")
    ):
        raise InvalidTokenError()


def feed_router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)

    @router.get("/revocations", dependencies=[Depends(_feed_caller)])
    async def revocations(
        state: State,
        response: Response,
        since: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
    ) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        entries = await state.store.revocations_since(since, limit=limit)
        return {
            "entries": [entry_to_json(e) for e in entries],
            "cursor": entries[-1].seq if entries else since,
        }

    return router
