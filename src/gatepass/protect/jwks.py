"""The remote JWK Set client: cached, rate-limited, single-flight, never left without keys.

- The key set is cached for ``max_age`` (10 min); an older set is refreshed in
  the background while requests keep using it.
- A token whose ``kid`` is not in the set triggers a refetch at most once per
  ``cooldown`` (30 s), so a stream of made-up kids costs one request per
  cooldown, not one per token.
- However many requests wait for keys, at most ONE fetch is in flight; the
  others await the same task.
- Every fetch has a total ``timeout`` (5 s) and a response size cap; a
  failed fetch (network error, timeout, non-200, garbage JSON, an invalid key,
  an empty set, an HMAC secret served as a public key, or a private key) keeps
  the last good set and is logged (its kind only, never the body). The cap
  holds for the decoded body (``gatepass.remote.bodies``). A document with a
  duplicated member (two ``keys``) is garbage JSON: two parsers could read
  two different sets from it.
- Keys gatepass cannot use (an unknown ``kty``, a secp256k1 curve, a short RSA
  modulus) are skipped as RFC 7517 §5 says, logged once, not fatal; a set with
  no usable key at all is a failed fetch.
- Before the first good fetch there are no keys to fall back on, so a failed
  first fetch is retried after 1 s, then 2, 4, … up to ``cooldown``, rather
  than answering 503 for a whole cooldown.
- Only the configured URL is fetched: https, or http on loopback when
  ``allow_insecure_loopback`` is set; redirects are not followed, even by a
  caller's ``http`` client that follows them by default.

Concurrency: a client belongs to the event loop it is first used on (its
lock-free single flight relies on that loop's one thread). The Flask adapter
runs it on the Authenticator's private loop thread, so request threads never
touch it directly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

import httpx

from gatepass.errors import ServiceUnavailableError
from gatepass.jose import KeySet
from gatepass.jose.jwks_rules import KeySetRejected, RefetchSchedule, key_set_from_json
from gatepass.remote.bodies import REQUEST_HEADERS, BodyError, read_capped
from gatepass.remote.urls import checked_url

__all__ = ["JWKSClient"]

log = logging.getLogger("gatepass.protect")

DEFAULT_MAX_BYTES: Final = 256 * 1024


class JWKSClient:
    """Keys from one configured JWKS URL (see the module docstring for the rules)."""

    def __init__(
        self,
        url: str,
        *,
        max_age: float = 600.0,
        cooldown: float = 30.0,
        timeout: float = 5.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_insecure_loopback: bool = False,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.url = checked_url(
            url, what="The JWKS URL", allow_insecure_loopback=allow_insecure_loopback
        )
        if min(max_age, timeout) <= 0 or cooldown < 0 or max_bytes < 1024:
            raise ValueError("max_age and timeout must be positive, max_bytes at least 1024")
        self.max_age, self.cooldown, self.timeout = max_age, cooldown, timeout
        self.max_bytes = max_bytes
        self._http = http
        self._owns_http = http is None
        self._given_clock = clock
        self._keys: KeySet | None = None
        self._schedule = RefetchSchedule(max_age, cooldown)
        self._inflight: asyncio.Task[None] | None = None
        self._skipped_logged = -1
        #: How many fetches were started (observability and tests).
        self.fetches = 0

    def _clock(self) -> float:
        # time.monotonic looked up at each call, so freezegun and monkeypatching see it
        return time.monotonic() if self._given_clock is None else self._given_clock()

    # -- what the verifier asks --------------------------------------------------

    async def key_set(self) -> KeySet:
        """The current key set; the first call fetches it (ServiceUnavailableError if it cannot)."""
        now = self._clock()
        if self._keys is None:
            if self._inflight is not None or self._schedule.may_attempt(now, have_keys=False):
                await self._refresh()
            return self._current()
        if (
            self._schedule.is_stale(now)
            and self._schedule.may_attempt(now)
            and self._inflight is None
        ):
            self._start_fetch()  # stale-while-revalidate: this request keeps the current set
        return self._keys

    def loaded(self) -> KeySet | None:
        """The last good key set, with no fetch (None before the first)."""
        return self._keys

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None:
        """A newer key set than ``seen`` (refetching once per cooldown), or None."""
        if self._keys is not None and self._keys is not seen:
            return self._keys
        if self._inflight is not None or self._schedule.may_attempt(
            self._clock(), have_keys=self._keys is not None
        ):
            await self._refresh()
        return self._keys if self._keys is not seen else None

    def _current(self) -> KeySet:
        if self._keys is None:
            raise ServiceUnavailableError("The signing keys are unavailable")
        return self._keys

    async def aclose(self) -> None:
        if self._inflight is not None:
            self._inflight.cancel()
            await asyncio.gather(self._inflight, return_exceptions=True)
            self._inflight = None
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    # -- fetching ------------------------------------------------------------------

    async def _refresh(self) -> None:
        task = self._inflight or self._start_fetch()
        # shield: a waiter that is cancelled (client gone) does not cancel the others' fetch.
        await asyncio.shield(task)

    def _start_fetch(self) -> asyncio.Task[None]:
        self._schedule.attempted(self._clock())
        self.fetches += 1
        self._inflight = asyncio.get_running_loop().create_task(self._fetch_and_keep())
        return self._inflight

    async def _fetch_and_keep(self) -> None:
        try:
            keys = await self._fetch()
        except KeySetRejected as exc:
            self._schedule.failed()
            kept = "keeping the last good key set" if self._keys else "no key set yet"
            log.warning("JWKS fetch failed: %s; %s", exc, kept)
        else:
            self._keys = keys
            self._schedule.succeeded(self._clock())
        finally:
            self._inflight = None

    async def _fetch(self) -> KeySet:
        if self._http is None:
            self._http = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        try:
            async with asyncio.timeout(self.timeout):
                body = await self._download(self._http)
        except TimeoutError:
            raise KeySetRejected("timed out") from None
        except httpx.HTTPError as exc:
            raise KeySetRejected(f"transport error ({type(exc).__name__})") from None
        keys, skipped = key_set_from_json(body)
        if skipped and skipped != self._skipped_logged:
            self._skipped_logged = skipped  # once per change, not once per fetch
            log.warning("JWKS: skipped %d key(s) gatepass cannot use (RFC 7517 §5)", skipped)
        return keys

    async def _download(self, http: httpx.AsyncClient) -> bytes:
        # follow_redirects=False per request: a caller's client may follow them by default.
        async with http.stream(
            "GET", self.url, headers=REQUEST_HEADERS, timeout=self.timeout, follow_redirects=False
        ) as reply:
            if reply.status_code != 200:
                raise KeySetRejected(f"HTTP status {reply.status_code}")
            try:
                return await read_capped(reply, self.max_bytes)
            except BodyError as exc:
                raise KeySetRejected(str(exc)) from None
