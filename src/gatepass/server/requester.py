"""Who sent a request, as the audit trail and the rate limits see it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from fastapi import Request

from gatepass.server.proxy import Network, client_ip
from gatepass.store.rotation import Requester

__all__ = ["MAX_USER_AGENT_CHARS", "requester"]

MAX_USER_AGENT_CHARS: Final = 512


def requester(request: Request, trusted: Sequence[Network]) -> Requester:
    """The client's address (through trusted proxies) and its user agent, cut to size."""
    agent = request.headers.get("user-agent", "")[:MAX_USER_AGENT_CHARS] or None
    return Requester(client_ip(request.scope, trusted), agent)
