"""Who sent a request, as the audit trail and the rate limits see it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from fastapi import Request

from gatepass.server.proxy import Network, client_ip
from gatepass.store.rotation import Requester

if TYPE_CHECKING:
    from gatepass.server.state import ServerState

__all__ = ["MAX_USER_AGENT_CHARS", "requester", "requester_of"]

MAX_USER_AGENT_CHARS: Final = 512


def requester(request: Request, trusted: Sequence[Network]) -> Requester:
    """The client's address (through trusted proxies) and its user agent, cut to size."""
    agent = request.headers.get("user-agent", "")[:MAX_USER_AGENT_CHARS] or None
    return Requester(client_ip(request.scope, trusted), agent)


def requester_of(request: Request, state: ServerState) -> Requester:
    """``requester`` through the server's trusted proxies (``GATEPASS_TRUSTED_PROXIES``)."""
    return requester(request, state.settings.trusted_networks)
