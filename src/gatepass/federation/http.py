"""Talking to a provider: one JSON call with a total timeout and a size cap, no redirects.

Every failure of the provider itself (not answering, timing out, a 5xx, an
answer that is not a JSON object) is ``ProviderUnavailableError``; a 4xx is
``FederationTokenError`` (the provider refused the code or the token).
Nothing the provider sent is ever put in an error or a log line.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any, Final

import httpx

from gatepass.errors import FederationTokenError, ProviderUnavailableError
from gatepass.remote.bodies import REQUEST_HEADERS, BodyError, read_capped

__all__ = ["TIMEOUT", "call_json", "new_http"]

log = logging.getLogger("gatepass.federation")

#: The total time one call to a provider may take, seconds.
TIMEOUT: Final = 10.0
_MAX_BYTES: Final = 256 * 1024


def new_http() -> httpx.AsyncClient:
    """The client the server talks to providers with (no proxies from the environment)."""
    return httpx.AsyncClient(timeout=httpx.Timeout(5.0), follow_redirects=False, trust_env=False)


async def call_json(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    what: str,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> Any:
    """The JSON answer of one call (an object or a list)."""
    try:
        async with asyncio.timeout(TIMEOUT):
            async with http.stream(
                method,
                url,
                data=data,
                headers={**REQUEST_HEADERS, **(headers or {})},
                auth=auth,
                follow_redirects=False,
            ) as reply:
                body = await read_capped(reply, _MAX_BYTES)
    except (TimeoutError, httpx.HTTPError, BodyError) as exc:
        log.warning("the provider's %s failed: %s", what, type(exc).__name__)
        raise ProviderUnavailableError() from None
    if 400 <= reply.status_code < 500:
        log.warning("the provider's %s refused the request: HTTP %d", what, reply.status_code)
        raise FederationTokenError()
    if reply.status_code != 200:
        log.warning("the provider's %s answered HTTP %d", what, reply.status_code)
        raise ProviderUnavailableError()
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict | list):
        log.warning("the provider's %s answered something that is not JSON", what)
        raise ProviderUnavailableError()
    return document
