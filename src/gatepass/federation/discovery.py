"""``DiscoveryClient``: a provider's metadata, cached as ``protect``'s JWKS client caches keys.

The same rules as ``gatepass.protect.jwks.JWKSClient`` (and the same
``RefetchSchedule``): the document is kept for ``max_age`` and refreshed in
the background once older; at most one fetch is in flight; a fetch has a
total ``timeout`` and a size cap, follows no redirect, and when it fails the
last good document stays in use; before the first good one, failures are
retried after 1 s, 2 s, … up to ``cooldown``, and until then a sign-in is
``ProviderUnavailableError``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

import httpx

from gatepass.errors import ProviderUnavailableError
from gatepass.federation.metadata import MetadataRejected, ProviderMetadata, metadata_from_json
from gatepass.jose.jwks_rules import RefetchSchedule
from gatepass.remote.bodies import REQUEST_HEADERS, BodyError, read_capped
from gatepass.remote.urls import checked_url

__all__ = ["DiscoveryClient"]

log = logging.getLogger("gatepass.federation")

WELL_KNOWN: Final = "/.well-known/openid-configuration"
MAX_BYTES: Final = 64 * 1024


class DiscoveryClient:
    def __init__(
        self,
        issuer: str,
        http: httpx.AsyncClient,
        *,
        allow_insecure_loopback: bool = False,
        max_age: float = 3600.0,
        cooldown: float = 30.0,
        timeout: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.issuer = issuer
        self.url = checked_url(
            issuer.rstrip("/") + WELL_KNOWN,
            what="The provider's issuer",
            allow_insecure_loopback=allow_insecure_loopback,
        )
        self._insecure = allow_insecure_loopback
        self._http, self.timeout = http, timeout
        self._clock = clock or time.monotonic
        self._schedule = RefetchSchedule(max_age, cooldown)
        self._metadata: ProviderMetadata | None = None
        self._inflight: asyncio.Task[None] | None = None
        #: How many fetches were started (observability and tests).
        self.fetches = 0

    async def metadata(self) -> ProviderMetadata:
        now = self._clock()
        if self._metadata is None:
            if self._inflight is not None or self._schedule.may_attempt(now, have_keys=False):
                await asyncio.shield(self._inflight or self._start())
            return self._current()
        stale = self._schedule.is_stale(now) and self._schedule.may_attempt(now)
        if stale and self._inflight is None:
            self._start()  # stale-while-revalidate
        return self._metadata

    def _current(self) -> ProviderMetadata:
        if self._metadata is None:
            raise ProviderUnavailableError()
        return self._metadata

    async def aclose(self) -> None:
        if self._inflight is not None:
            self._inflight.cancel()
            await asyncio.gather(self._inflight, return_exceptions=True)

    def _start(self) -> asyncio.Task[None]:
        self._schedule.attempted(self._clock())
        self.fetches += 1
        self._inflight = asyncio.get_running_loop().create_task(self._fetch_and_keep())
        return self._inflight

    async def _fetch_and_keep(self) -> None:
        try:
            body = await self._download()
            metadata = metadata_from_json(
                body, issuer=self.issuer, allow_insecure_loopback=self._insecure
            )
        except MetadataRejected as exc:
            self._schedule.failed()
            log.warning("OpenID discovery of %s failed: %s", self.issuer, exc)
        else:
            self._metadata = metadata
            self._schedule.succeeded(self._clock())
        finally:
            self._inflight = None

    async def _download(self) -> bytes:
        try:
            async with asyncio.timeout(self.timeout):
                async with self._http.stream(
                    "GET", self.url, headers=REQUEST_HEADERS, follow_redirects=False
                ) as reply:
                    if reply.status_code != 200:
                        raise MetadataRejected(f"HTTP status {reply.status_code}")
                    return await read_capped(reply, MAX_BYTES)
        except TimeoutError:
            raise MetadataRejected("timed out") from None
        except httpx.HTTPError as exc:
            raise MetadataRejected(f"transport error ({type(exc).__name__})") from None
        except BodyError as exc:
            raise MetadataRejected(str(exc)) from None
