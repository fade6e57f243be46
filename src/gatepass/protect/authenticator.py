"""``Authenticator``: verifies gatepass access tokens for any Python API.

One object, configured once (issuer, audience, where the keys come from,
optional decryption key and revocation sync), used three ways:

- FastAPI: ``Depends(auth)`` / ``Depends(auth.require(roles=[...], scopes=[...]))``
  with ``auth.install(app)`` for the guide's error bodies;
- any ASGI app: ``GatepassMiddleware(app, authenticator=auth)``;
- Flask/WSGI: ``@auth.required`` / ``@auth.required(roles=[...])``.

Each requirement also takes step-up (``gatepass.stepup``): ``amr=[...]``,
``acr=[...]`` and ``max_age=N``, judged on ``clock``, the verifier's own.

Async parts (JWKS fetches, revocation sync, the cache) belong to one event
loop, the Authenticator's home: the loop ``start()`` first ran on (an ASGI
app's), or, when a synchronous caller comes first, a private loop thread
(see ``loop_thread``). Calls from anywhere else are handed to the home loop
and awaited there, so one Authenticator serves an async app and sync Flask
views in one process. The one call that cannot work, ``authenticate_sync``
on the home loop's own thread (it would wait for itself), is a ConfigError.

Which tokens count is a ``Profile`` (``gatepass.protect.profiles``): the
auth server's own by default, RFC 9068 access tokens or plain JWTs of other
issuers by name; ``require=`` and ``typ=`` override its parts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from starlette.requests import HTTPConnection

from gatepass.errors import ConfigError, InvalidTokenError, JoseError, MissingTokenError
from gatepass.jose import Key, KeySet
from gatepass.jose.expectations import Expectations
from gatepass.protect import fastapi_adapter, flask_adapter
from gatepass.protect.access import Access
from gatepass.protect.jwks import JWKSClient
from gatepass.protect.loop_thread import LoopThread, run_on
from gatepass.protect.profiles import GATEPASS, Profile
from gatepass.protect.verification import decryption_of, key_source
from gatepass.tokencache import DEFAULT_MAX_BYTES, VerifiedTokenCache
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.principal import Principal
from gatepass.tokens.verify import AccessVerifier, Revocations, limits_for

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["Authenticator", "RevocationCheck"]

log = logging.getLogger("gatepass.protect")
View = TypeVar("View", bound=Callable[..., Any])
T = TypeVar("T")
SYNC_TIMEOUT = 30.0
_CLOSED_HOME = "The event loop this Authenticator ran on is closed; close() it on that loop first"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class RevocationCheck(Revocations, Protocol):
    """What the Authenticator needs from a revocation source (``RevocationSync``)."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class Authenticator:
    """Verifies access tokens and yields a ``Principal`` (see the module docstring)."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks_client: JWKSClient | None = None,
        keys: Key | KeySet | None = None,
        secret: str | None = None,
        algorithms: Collection[str] | None = None,
        profile: Profile = GATEPASS,
        typ: str | None = None,
        require: Collection[str] | None = None,
        leeway: float = 0.0,
        decryption_key: AccessTokenEncryption | Key | str | None = None,
        revocations: RevocationCheck | None = None,
        cache_size: int = 10_000,
        cache_bytes: int = DEFAULT_MAX_BYTES,
        max_token_bytes: int = 8192,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not issuer or not audience:
            raise ConfigError("issuer and audience are required")
        if leeway < 0 or leeway > 300:
            raise ConfigError("leeway must be between 0 and 300 seconds")
        if not isinstance(profile, Profile):
            raise ConfigError("profile must be one of gatepass.protect.profiles")
        if isinstance(require, str):
            raise ConfigError("require is a list of claim names, not one string")
        source, allowed, self.jwks = key_source(jwks_url, jwks_client, keys, secret, algorithms)
        self.profile = profile
        self.max_token_bytes = max_token_bytes
        self.revocations = revocations
        self.clock = clock
        expect = Expectations(
            allowed,
            issuer=issuer,
            audience=audience,
            typ=profile.typ if typ is None else typ,
            leeway=leeway,
            required=profile.require if require is None else tuple(require),
            clock=clock,
            limits=limits_for(max_token_bytes),
        )
        self.verifier = AccessVerifier(
            source,
            expect,
            encryption=decryption_of(decryption_key),
            revocations=revocations,
            cache_size=cache_size,
            cache_bytes=cache_bytes,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting: asyncio.Task[None] | None = None
        self._started = False
        self._runner: LoopThread | None = None
        self._runner_lock = threading.Lock()

    @property
    def cache(self) -> VerifiedTokenCache[Principal]:
        """The verified tokens (of the current key set)."""
        return self.verifier.cache

    # -- the one operation -----------------------------------------------------------

    async def authenticate(self, token: str | None) -> Principal:
        """The principal of a valid, unrevoked token; MissingTokenError/InvalidTokenError else.

        ServiceUnavailableError when no signing keys could be fetched at all.
        The refusal never says which check failed, nor echoes the token.
        """
        home = self._loop
        if home is not None and home is not asyncio.get_running_loop():
            return await self._on_home(home, self.authenticate(token))  # direct on its home
        if not token:
            raise MissingTokenError()
        if len(token) > self.max_token_bytes:
            raise InvalidTokenError()
        if not self._started:
            await self.start()
        try:
            return await self.verifier.verify(token)
        except (JoseError, InvalidTokenError) as exc:  # InvalidTokenError: revoked, say
            log.debug("token refused: %s", exc.code)
            raise InvalidTokenError() from None

    async def _on_home(self, home: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
        """Await ``work`` on the home loop, from another loop's task."""
        if home.is_closed():
            work.close()
            raise ConfigError(_CLOSED_HOME)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, home))

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Start the revocation sync (first sync awaited) on this loop; idempotent."""
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            await self._on_home(self._loop, self.start())
            return
        self._loop = loop
        if self._started:
            return
        if self._starting is None:
            self._starting = loop.create_task(self._start())
        await asyncio.shield(self._starting)

    async def _start(self) -> None:
        if self.revocations is not None:
            await self.revocations.start()
        self._started = True

    async def close(self) -> None:
        """Stop the revocation sync and close HTTP clients; the object can start again."""
        home = self._loop
        if home is not None and home is not asyncio.get_running_loop() and not home.is_closed():
            await self._on_home(home, self.close())
            return
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)
        if self.revocations is not None:
            await self.revocations.close()
        if self.jwks is not None:
            await self.jwks.aclose()
        self.cache.clear()
        self._started, self._starting, self._loop = False, None, None

    async def __aenter__(self) -> Authenticator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def lifespan(self, app: object) -> AbstractAsyncContextManager[None]:
        """For ``FastAPI(lifespan=auth.lifespan)`` / ``Starlette(lifespan=...)``."""

        @asynccontextmanager
        async def running() -> AsyncIterator[None]:
            async with self:
                yield

        return running()

    # -- FastAPI -----------------------------------------------------------------------

    async def __call__(self, request: HTTPConnection) -> Principal:
        """``Depends(auth)``: the caller's principal (401 without a valid token)."""
        return await fastapi_adapter.principal_of_request(self, request, None)

    def require(
        self,
        *,
        roles: Iterable[str] | None = None,
        scopes: Iterable[str] | None = None,
        amr: Iterable[str] | None = None,
        acr: Iterable[str] | None = None,
        max_age: int | None = None,
    ) -> Callable[..., Any]:
        """``Depends(auth.require(roles=[...], scopes=[...], amr=[...], max_age=N))``: 403
        without a role or scope, RFC 9470's 401 for a login that falls short."""
        access = Access.of(roles, scopes, amr=amr, acr=acr, max_age=max_age)
        return fastapi_adapter.dependency(self, access)

    def install(self, app: Starlette) -> None:
        """Answer refusals with the guide's ``{"error", "message"}`` bodies."""
        fastapi_adapter.install(app)

    # -- Flask / WSGI ------------------------------------------------------------------

    @overload
    def required(self, view: View, /) -> View: ...

    @overload
    def required(
        self,
        view: None = None,
        /,
        *,
        roles: Iterable[str] | None = None,
        scopes: Iterable[str] | None = None,
        amr: Iterable[str] | None = None,
        acr: Iterable[str] | None = None,
        max_age: int | None = None,
    ) -> Callable[[View], View]: ...

    def required(
        self,
        view: View | None = None,
        /,
        *,
        roles: Iterable[str] | None = None,
        scopes: Iterable[str] | None = None,
        amr: Iterable[str] | None = None,
        acr: Iterable[str] | None = None,
        max_age: int | None = None,
    ) -> View | Callable[[View], View]:
        """``@auth.required`` or ``@auth.required(roles=[...], max_age=N)`` on a Flask view."""
        access = Access.of(roles, scopes, amr=amr, acr=acr, max_age=max_age)
        if view is not None:
            return flask_adapter.protect_view(self, view, access)
        return lambda inner: flask_adapter.protect_view(self, inner, access)

    def authenticate_sync(self, token: str | None) -> Principal:
        """``authenticate`` for threads without an event loop, run on the home loop.

        The home loop is an async app's when one started this Authenticator,
        else a private loop thread started here on first use.
        """
        home = self._loop
        if home is None:
            with self._runner_lock:
                if self._loop is None and self._runner is None:
                    self._runner = LoopThread()
                home = self._loop or (self._runner.loop if self._runner else None)
        if home is None or home.is_closed():
            raise ConfigError(_CLOSED_HOME)
        if _running_loop() is home:
            raise ConfigError(
                "authenticate_sync was called on the event loop this Authenticator runs on;"
                " await auth.authenticate(token) there instead"
            )
        return run_on(home, self.authenticate(token), SYNC_TIMEOUT)

    def close_sync(self) -> None:
        """Stop the private loop thread (after closing what runs on it)."""
        with self._runner_lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            runner.run(self.close(), SYNC_TIMEOUT)
            runner.stop()
