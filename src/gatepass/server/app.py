"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Final

import httpx
from fastapi import Depends, FastAPI, Request, Response
from starlette.routing import Route

from gatepass import __version__
from gatepass.clock import Clock, system_clock
from gatepass.federation.handshake import HANDSHAKE_SEALING
from gatepass.federation.registry import Federation
from gatepass.revocation.recording import recording
from gatepass.revocation.server_sync import ServerRevocationSync
from gatepass.server.apidocs import OPENAPI_PATH, mount_api_docs
from gatepass.server.auth import Principal, access_verifier, current_principal
from gatepass.server.console import mount_console
from gatepass.server.deferred import Deferred
from gatepass.server.discovery import discovery_router
from gatepass.server.errors import install_error_handlers
from gatepass.server.feed import feed_router
from gatepass.server.hotpath import HotPath, dashboard_response
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.keys import SigningKeys
from gatepass.server.mailer import Mailer, check_mail_for_production, outbox_key
from gatepass.server.middleware import BodyLimit, HttpsOnly, SecurityHeaders
from gatepass.server.openapi import install_openapi
from gatepass.server.passwords import Passwords
from gatepass.server.ratelimit import RateLimits, Sleep
from gatepass.server.routes_account import account_router
from gatepass.server.routes_auth import auth_router
from gatepass.server.routes_identities import identities_router
from gatepass.server.routes_mfa import mfa_router
from gatepass.server.routes_oidc import oidc_router
from gatepass.server.routes_passkeys import passkeys_router
from gatepass.server.state import ServerState, get_state
from gatepass.server.token_endpoint import token_router
from gatepass.settings import Settings
from gatepass.store import open_store
from gatepass.store.protocols import Store
from gatepass.tokens import totp
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.refresh import RotationPolicy
from gatepass.tokens.sealing import Sealer

__all__ = ["create_app"]

Caller = Annotated[Principal, Depends(current_principal)]


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    clock: Clock = system_clock,
    sleep: Sleep | None = None,
    provider_http: httpx.AsyncClient | None = None,
) -> FastAPI:
    """The gatepass auth server; settings default to ``Settings.from_env()``.

    ``clock`` is the server's one clock: every flow, token check, store call and
    background task reads it (tests inject one they move by hand);
    ``sleep`` is how delayed logins wait (``asyncio.sleep``; tests record instead);
    ``provider_http`` is how the sign-in providers are reached (tests pass their own).
    """
    config = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_mail_for_production(config)
        backend = store or open_store(config.database_url, pool_size=config.database_pool_size)
        await backend.migrate()
        access = AccessTokenIssuer(
            config.issuer, config.audience, config.access_ttl, _encryption(config)
        )
        keys = SigningKeys(config, backend, clock=clock)
        try:
            await keys.load()
        except BaseException:  # e.g. a wrong key-encryption key: no pool left behind
            if store is None:
                await backend.close()
            raise
        sealing_key = outbox_key(config, keys)
        mailer = Mailer.for_server(config, backend, sealing_key, clock=clock)
        revocations = ServerRevocationSync(backend, config, clock=clock)
        await revocations.start()
        mailer.start()
        deferred = Deferred()
        federation = Federation(
            config.providers, allow_insecure_loopback=not config.is_production, http=provider_http
        )
        app.state.gatepass = ServerState(
            settings=config,
            store=recording(backend, revocations),
            keys=keys,
            access=access,
            rotation=RotationPolicy(config.refresh_ttl, config.refresh_grace, config.access_ttl),
            passwords=Passwords(config),
            limits=RateLimits(config, sleep=sleep),
            revocations=revocations,
            verifier=access_verifier(config, keys, access, revocations.revoked, clock),
            mailer=mailer,
            deferred=deferred,
            totp_sealer=Sealer(sealing_key, totp.SECRET_SEALING),
            federation=federation,
            handshake_sealer=Sealer(sealing_key, HANDSHAKE_SEALING),
            clock=clock,
        )
        try:
            yield
        finally:
            await deferred.close()  # first: deferred work may still queue a mail
            await federation.aclose()
            await mailer.stop()
            await revocations.stop()
            await keys.stop()
            await app.state.gatepass.limits.close()
            if store is None:
                await backend.close()

    docs = config.api_docs_enabled
    app = FastAPI(
        title="gatepass",
        version=__version__,
        lifespan=lifespan,
        openapi_url=OPENAPI_PATH if docs else None,
        docs_url=None,  # FastAPI's pages load a CDN and run inline script: ours do neither
        redoc_url=None,
        # No 307 from /x/ to /x: a path that is not a route is a 404, never a redirect.
        redirect_slashes=False,
    )
    app.router.route_class = JsonRoute
    install_error_handlers(app)
    # First: routes are matched in order, and these two are the hot paths.
    _add_public_routes(app, config)
    app.include_router(auth_router(), prefix=config.auth_prefix, tags=["auth"])
    app.include_router(account_router(), prefix=config.auth_prefix, tags=["account"])
    app.include_router(mfa_router(), prefix=config.auth_prefix, tags=["mfa"])
    app.include_router(oidc_router(config), prefix=config.auth_prefix, tags=["federation"])
    app.include_router(identities_router(), prefix=config.auth_prefix, tags=["federation"])
    app.include_router(passkeys_router(), prefix=config.auth_prefix, tags=["passkeys"])
    app.include_router(feed_router(), prefix=config.auth_prefix, tags=["revocation"])
    app.include_router(token_router(), prefix=config.auth_prefix)
    app.include_router(discovery_router(config))
    mount_console(app, config)
    if docs:
        mount_api_docs(app)
        install_openapi(app, config)
    # The last added is the outermost: SecurityHeaders sees every answer, the
    # 413 of BodyLimit and the 400 of HttpsOnly included.
    app.add_middleware(HotPath)  # GET /dashboard, inside every middleware below
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    if config.is_production:
        app.add_middleware(HttpsOnly, trusted=config.trusted_networks)
    app.add_middleware(SecurityHeaders, auth_prefix=config.auth_prefix)
    return app


def _encryption(config: Settings) -> AccessTokenEncryption | None:
    secret = config.access_token_encryption_key
    return None if secret is None else AccessTokenEncryption.from_jwk_text(secret.get())


_HEALTHY: Final = b'{"status":"ok","database":"ok"}'


def _add_public_routes(app: FastAPI, config: Settings) -> None:
    # The hot paths, each twice: a FastAPI route that documents it (OpenAPI) and,
    # matched first, a plain Starlette route that answers it: no dependency to
    # solve, no response model, a prebuilt JSON body. Errors raised in either are
    # answered by the same exception handlers.
    async def dashboard(request: Request) -> Response:
        """The guide's protected route (``Authorization: Bearer`` or the access cookie)."""
        return await dashboard_response(request, await get_state(request))

    async def health(request: Request) -> Response:
        await (await get_state(request)).store.health()
        return _json(_HEALTHY)

    app.get("/dashboard", tags=["demo"], response_model=dict[str, str])(dashboard)
    app.get("/health", tags=["operations"], response_model=dict[str, str])(health)
    for path, endpoint in (("/health", health), ("/dashboard", dashboard)):
        route = Route(path, endpoint, methods=["GET"], include_in_schema=False)
        route.methods = {"GET"}  # Starlette adds HEAD to GET; the FastAPI routes never had it
        app.router.routes.insert(0, route)


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")
