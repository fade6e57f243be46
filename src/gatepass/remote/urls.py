"""Which URLs protect fetches from: https, or plain http on loopback when allowed by name.

Only URLs written in the configuration are ever fetched (the JWKS and the
revocation feed); nothing in a token (``jku``, ``x5u``, ``iss``) is a URL
source, and redirects are not followed, so the allow-list cannot be escaped.
"""

from __future__ import annotations

import ipaddress

import httpx

from gatepass.errors import ConfigError

__all__ = ["checked_url"]

_LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_url(url: str, *, what: str, allow_insecure_loopback: bool = False) -> str:
    """``url`` if it may be fetched; ConfigError (naming ``what``, not the URL) otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise ConfigError(f"{what} is not a valid URL") from None
    if not parsed.host or parsed.userinfo:
        raise ConfigError(f"{what} must be an absolute URL without credentials")
    if parsed.scheme == "https":
        return url
    if parsed.scheme == "http" and allow_insecure_loopback and _is_loopback(parsed.host):
        return url
    raise ConfigError(
        f"{what} must be an https URL (plain http only on loopback, when allowed explicitly)"
    )
