"""``PyJWKClient``: PyJWT's synchronous JWKS client, with ``gatepass.protect.JWKSClient``'s rules.

The set is cached for ``lifespan`` seconds; an unknown ``kid`` refetches at
most once per ``cooldown``; a failed fetch keeps the last good set; the
answer is capped in size (decoded) and must hold only public signing keys
(``gatepass.jose.jwks_rules``); only the configured https URL is fetched
and redirects are not followed. One fetch at a time (a lock). ``httpx`` (the
``protect`` extra) is imported when a client is made, so ``gatepass.jose``
imports without it.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gatepass.jose.exceptions import PyJWKClientConnectionError, PyJWKClientError
from gatepass.jose.jwks_rules import KeySetRejected, RefetchSchedule, key_set_from_json
from gatepass.jose.pyjwt.api_jwk import PyJWK, PyJWKSet
from gatepass.jose.pyjwt.api_jws import get_unverified_header

if TYPE_CHECKING:
    import httpx

__all__ = ["PyJWKClient"]

log = logging.getLogger("gatepass.jose")

DEFAULT_MAX_BYTES = 256 * 1024


class PyJWKClient:
    """Signing keys from one JWKS URL: ``jwt.decode(token, client.get_signing_key_from_jwt(token))``
    (the key's own algorithm is the allow-list)."""

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30,
        ssl_context: ssl.SSLContext | None = None,
        *,
        cooldown: float = 30.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_insecure_loopback: bool = False,
        http: httpx.Client | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import httpx

        from gatepass.remote.bodies import REQUEST_HEADERS
        from gatepass.remote.urls import checked_url

        if not cache_jwk_set:
            raise TypeError(
                "The JWK Set is always cached: a fetch per token is a denial of service"
            )
        if timeout <= 0 or max_bytes < 1024:
            raise ValueError("timeout must be positive, max_bytes at least 1024")
        # cache_keys/max_cached_keys: every key of the cached set is already prepared.
        self.uri = checked_url(
            uri, what="The JWKS URL", allow_insecure_loopback=allow_insecure_loopback
        )
        self.timeout, self.max_bytes = timeout, max_bytes
        self.headers = {**REQUEST_HEADERS, **(headers or {})}
        self._http = http or httpx.Client(
            follow_redirects=False, trust_env=False, verify=ssl_context or True
        )
        self._given_clock = clock
        self._schedule = RefetchSchedule(lifespan, cooldown)
        self._lock = threading.Lock()
        self._keys: PyJWKSet | None = None
        #: How many fetches were started (observability and tests).
        self.fetches = 0

    def _now(self) -> float:
        return time.monotonic() if self._given_clock is None else self._given_clock()

    def fetch_data(self) -> Any:
        """Fetch and check the set now (PyJWKClientConnectionError when it cannot be used)."""
        import httpx

        from gatepass.remote.bodies import BodyError, read_capped_sync

        self._schedule.attempted(self._now())
        self.fetches += 1
        try:
            with self._http.stream(
                "GET", self.uri, headers=self.headers, timeout=self.timeout, follow_redirects=False
            ) as reply:
                if reply.status_code != 200:
                    raise KeySetRejected(f"HTTP status {reply.status_code}")
                body = read_capped_sync(reply, self.max_bytes)
            keys, _skipped = key_set_from_json(body)
        except BodyError as exc:
            raise self._failed(str(exc)) from None
        except httpx.HTTPError as exc:
            raise self._failed(f"transport error ({type(exc).__name__})") from None
        except KeySetRejected as exc:
            raise self._failed(str(exc)) from None
        self._keys = PyJWKSet([key.export_jwk() for key in keys])
        self._schedule.succeeded(self._now())
        return {"keys": [key.export_jwk() for key in keys]}

    def _failed(self, why: str) -> PyJWKClientConnectionError:
        self._schedule.failed()
        kept = "keeping the last good key set" if self._keys else "no key set yet"
        log.warning("JWKS fetch failed: %s; %s", why, kept)
        return PyJWKClientConnectionError(f"Fail to fetch data from the url: {why}")

    def _refresh(self, seen: PyJWKSet | None) -> None:
        with self._lock:  # one fetch at a time; a waiter uses what the fetch got
            have_keys = self._keys is not None
            if self._keys is seen and self._schedule.may_attempt(self._now(), have_keys=have_keys):
                try:
                    self.fetch_data()
                except PyJWKClientConnectionError:
                    if self._keys is None:
                        raise

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The cached set; fetched when there is none, when stale, or on ``refresh``
        (each at most once per cooldown)."""
        keys = self._keys
        if keys is None or refresh or self._schedule.is_stale(self._now()):
            self._refresh(keys)
        if self._keys is None:
            raise PyJWKClientConnectionError("The signing keys are unavailable")
        return self._keys

    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        keys = [
            k
            for k in self.get_jwk_set(refresh).keys
            if k.public_key_use in ("sig", None) and k.key_id
        ]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    def get_signing_key(self, kid: str) -> PyJWK:
        """The key with ``kid``; an unknown kid refetches the set (once per cooldown)."""
        found = self.match_kid(self.get_signing_keys(), kid)
        if found is None:
            found = self.match_kid(self.get_signing_keys(refresh=True), kid)
        if found is None:
            raise PyJWKClientError("Unable to find a signing key that matches the token's kid")
        return found

    def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        kid = get_unverified_header(token).get("kid")
        if not isinstance(kid, str):
            raise PyJWKClientError("The token has no kid")
        return self.get_signing_key(kid)

    @staticmethod
    def match_kid(signing_keys: list[PyJWK], kid: str) -> PyJWK | None:
        return next((key for key in signing_keys if key.key_id == kid), None)

    def close(self) -> None:
        self._http.close()
