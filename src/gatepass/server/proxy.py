"""What a trusted reverse proxy may tell us: the client's address and scheme.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only when the
direct peer is in ``GATEPASS_TRUSTED_PROXIES``; otherwise anyone could claim
any address (and escape per-IP rate limits) or claim HTTPS. The client is the
right-most address in ``X-Forwarded-For`` that is not itself a trusted proxy:
every hop appends, so addresses left of the last untrusted one were written by
the client and prove nothing. The scheme is the right-most value of
``X-Forwarded-Proto``, the one the nearest (trusted) proxy set.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

__all__ = ["Network", "client_ip", "forwarded_https", "is_trusted"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    if not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _header(scope: Scope, name: bytes) -> str:
    values = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == name]
    return ",".join(values)


def _peer(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def client_ip(scope: Scope, trusted: Sequence[Network]) -> str | None:
    """The client's address: the peer's, or what a trusted proxy chain reports."""
    peer = _peer(scope)
    if peer is None or not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in _header(scope, b"x-forwarded-for").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # a malformed chain proves nothing: count it against the proxy
        if not is_trusted(address, trusted):
            return address
    return peer


def forwarded_https(scope: Scope, trusted: Sequence[Network]) -> bool:
    """True when a trusted proxy says the client spoke HTTPS to it."""
    peer = _peer(scope)
    if peer is None or not is_trusted(peer, trusted):
        return False
    values = [v.strip().lower() for v in _header(scope, b"x-forwarded-proto").split(",")]
    return bool(values) and values[-1] == "https"
