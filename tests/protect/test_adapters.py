"""The three adapters answer alike: FastAPI dependency, ASGI middleware, Flask decorator."""

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from flask import Flask, g
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from gatepass.errors import ConfigError, MissingTokenError
from gatepass.jose import Key, KeySet
from gatepass.protect import (
    Authenticator,
    GatepassMiddleware,
    JWKSClient,
    Principal,
    principal_of,
    requires,
)
from gatepass.protect.answers import KEYS_RETRY_AFTER_S
from tests.protect.helpers import AUDIENCE, ISSUER, free_port, mint

KEY = Key.generate("EdDSA")
MISSING = {"error": "missing_token", "message": "No token provided"}
INVALID = {"error": "invalid_token", "message": "Invalid or expired token"}
FORBIDDEN_CODE = "insufficient_scope"
ADAPTERS = ["fastapi", "starlette", "flask"]


def new_auth(**options: Any) -> Authenticator:
    return Authenticator(
        issuer=ISSUER, audience=AUDIENCE, keys=KeySet([KEY.public_key()]), **options
    )


def fastapi_app(auth: Authenticator) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)

    @app.get("/me")
    async def me(user: Annotated[Principal, Depends(auth)]) -> dict[str, str]:
        return {"message": f"Welcome {user.email}"}

    @app.get("/admin")
    async def admin(
        user: Annotated[Principal, Depends(auth.require(roles=["admin"]))],
    ) -> dict[str, str]:
        return {"sub": user.sub}

    @app.get("/reports")
    async def reports(
        user: Annotated[Principal, Depends(auth.require(scopes=["reports:read"]))],
    ) -> dict[str, str]:
        return {"sub": user.sub}

    return app


def starlette_app(auth: Authenticator) -> GatepassMiddleware:
    async def me(request: Request) -> Response:
        return JSONResponse({"message": f"Welcome {principal_of(request.scope).email}"})

    @requires(roles=["admin"])
    async def admin(request: Request) -> Response:
        return JSONResponse({"sub": principal_of(request.scope).sub})

    @requires(scopes=["reports:read"])
    async def reports(request: Request) -> Response:
        return JSONResponse({"sub": principal_of(request.scope).sub})

    async def public(_: Request) -> Response:
        return JSONResponse({"public": True})

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"sub": principal_of(websocket.scope).sub})
        await websocket.close()

    inner = Starlette(
        routes=[
            Route("/me", me),
            Route("/admin", admin),
            Route("/reports", reports),
            Route("/public/info", public),
            Route("/health", public),
            WebSocketRoute("/ws", socket),
        ]
    )
    return GatepassMiddleware(inner, authenticator=auth, exclude=["/health", "/public/*"])


def flask_app(auth: Authenticator) -> Flask:
    app = Flask(__name__)

    @app.get("/me")
    @auth.required
    def me() -> dict[str, str]:
        user: Principal = g.gatepass_principal
        return {"message": f"Welcome {user.email}"}

    @app.get("/admin")
    @auth.required(roles=["admin"])
    def admin() -> dict[str, str]:
        return {"sub": g.gatepass_principal.sub}

    @app.get("/reports")
    @auth.required(scopes=["reports:read"])
    def reports() -> dict[str, str]:
        return {"sub": g.gatepass_principal.sub}

    return app


class Caller:
    """One way to call any of the three apps."""

    def __init__(self, kind: str, auth: Authenticator) -> None:
        self.kind = kind
        if kind == "flask":
            self._flask = flask_app(auth).test_client()
            return
        self.app: Any = fastapi_app(auth) if kind == "fastapi" else starlette_app(auth)
        transport = httpx.ASGITransport(app=self.app)
        self._client = httpx.AsyncClient(transport=transport, base_url="https://testserver")

    async def get(
        self, path: str, token: str | None = None, raw: str | None = None
    ) -> httpx.Response:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if raw is not None:
            headers["Authorization"] = raw
        if self.kind == "flask":
            reply = self._flask.get(path, headers=headers)
            return httpx.Response(
                reply.status_code, headers=dict(reply.headers), content=reply.data
            )
        return await self._client.get(path, headers=headers)


@asynccontextmanager
async def running_caller(kind: str, auth: Authenticator) -> AsyncIterator[Caller]:
    made = Caller(kind, auth)
    if kind == "flask":
        yield made
        auth.close_sync()
        return
    async with made._client:
        if kind == "fastapi":  # the app's lifespan starts and closes the authenticator
            async with made.app.router.lifespan_context(made.app):
                yield made
        else:
            async with auth:
                yield made


@pytest.fixture(params=ADAPTERS)
async def caller(request: pytest.FixtureRequest) -> AsyncIterator[Caller]:
    async with running_caller(request.param, new_auth()) as made:
        yield made


async def test_a_valid_token_reaches_the_route(caller: Caller) -> None:
    reply = await caller.get("/me", mint(KEY))
    assert reply.status_code == 200
    assert reply.json() == {"message": "Welcome ada@example.com"}


async def test_no_token_is_the_guides_missing_token(caller: Caller) -> None:
    reply = await caller.get("/me")
    assert reply.status_code == 401
    assert reply.json() == MISSING
    assert reply.headers["www-authenticate"] == "Bearer"
    assert reply.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "raw", ["Bearer not.a.token", "Basic dXNlcjpwdw==", "Bearer ", "Bearer a b", "Bearer x" * 3000]
)
async def test_bad_tokens_are_the_guides_invalid_token(caller: Caller, raw: str) -> None:
    reply = await caller.get("/me", raw=raw)
    assert reply.status_code == 401
    assert reply.json() == INVALID
    assert reply.headers["www-authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize("kind", ["fastapi", "starlette"])
@pytest.mark.parametrize("valid_first", [True, False])
async def test_two_authorization_headers_are_refused(kind: str, valid_first: bool) -> None:
    # As on the auth server: a proxy may read the last header and the app the first.
    auth = new_auth()
    made = Caller(kind, auth)
    pair = [("authorization", f"Bearer {mint(KEY)}"), ("authorization", "Bearer junk")]
    async with made._client, auth:
        reply = await made._client.get("/me", headers=pair if valid_first else pair[::-1])
    assert (reply.status_code, reply.json()) == (401, INVALID)
    assert reply.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_an_expired_token_is_invalid(caller: Caller) -> None:
    import time

    reply = await caller.get("/me", mint(KEY, ttl=1, now=time.time() - 10))
    assert (reply.status_code, reply.json()) == (401, INVALID)


async def test_a_missing_role_is_403(caller: Caller) -> None:
    reply = await caller.get("/admin", mint(KEY, role="user"))
    assert reply.status_code == 403
    assert reply.json()["error"] == FORBIDDEN_CODE
    assert reply.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'
    assert (await caller.get("/admin", mint(KEY, role="admin"))).json() == {"sub": "user-1"}
    assert (await caller.get("/admin")).status_code == 401


async def test_a_missing_scope_is_403(caller: Caller) -> None:
    assert (await caller.get("/reports", mint(KEY))).status_code == 403


@pytest.mark.parametrize("kind", ADAPTERS)
async def test_unreachable_signing_keys_are_a_503_with_retry_after(kind: str) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/jwks.json"
    jwks = JWKSClient(nowhere, allow_insecure_loopback=True, timeout=1.0)
    auth = Authenticator(issuer=ISSUER, audience=AUDIENCE, jwks_client=jwks)
    async with running_caller(kind, auth) as caller:
        reply = await caller.get("/me", mint(KEY))
    assert reply.status_code == 503
    assert reply.json() == {
        "error": "service_unavailable",
        "message": "The signing keys are unavailable, try again shortly",
    }
    assert reply.headers["retry-after"] == str(KEYS_RETRY_AFTER_S)
    assert reply.headers["cache-control"] == "no-store"


async def test_the_middleware_skips_excluded_paths() -> None:
    async with new_auth() as auth:
        transport = httpx.ASGITransport(app=starlette_app(auth))
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
            assert (await client.get("/health")).json() == {"public": True}
            assert (await client.get("/public/info")).json() == {"public": True}
            assert (await client.get("/publicity")).status_code == 401
            assert (await client.get("/health/x")).status_code == 401


async def websocket(app: GatepassMiddleware, headers: list[tuple[bytes, bytes]]) -> list[Any]:
    incoming: list[dict[str, Any]] = [{"type": "websocket.connect"}]
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": headers, "query_string": b""}
    await asyncio.wait_for(app(scope, receive, send), 5)
    return sent


async def test_the_middleware_guards_websockets() -> None:
    async with new_auth() as auth:
        app = starlette_app(auth)
        refused = await websocket(app, [])
        assert refused == [{"type": "websocket.close", "code": 1008}]
        token = mint(KEY).encode()
        accepted = await websocket(app, [(b"authorization", b"Bearer " + token)])
        assert accepted[0]["type"] == "websocket.accept"
        assert '"sub":"user-1"' in accepted[1]["text"].replace(" ", "")


async def test_the_middleware_starts_and_closes_the_authenticator_with_the_lifespan() -> None:
    auth = new_auth()
    app = starlette_app(auth)
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: Any) -> None:
        sent.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            assert auth._started

    await asyncio.wait_for(app({"type": "lifespan"}, receive, send), 5)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert not auth._started


async def test_fastapi_without_install_still_answers_401_with_the_header() -> None:
    auth = new_auth()
    app = FastAPI()

    @app.get("/me")
    async def me(user: Annotated[Principal, Depends(auth)]) -> dict[str, str]:
        return {"sub": user.sub}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
        reply = await client.get("/me")
    await auth.close()
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"
    assert reply.json() == MISSING  # the guide's body, not FastAPI's {"detail": ...}


def test_flask_under_threads_answers_every_request_right() -> None:
    auth = new_auth()
    app = flask_app(auth)
    tokens = [mint(KEY, email=f"u{i}@example.com", sid=f"s{i}") for i in range(40)]

    def call(i: int) -> tuple[int, Any]:
        reply = app.test_client().get(
            "/me", headers={"Authorization": f"Bearer {tokens[i % 40]}"} if i % 5 else {}
        )
        return reply.status_code, reply.get_json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(call, range(200)))
    try:
        for i, (status, body) in enumerate(results):
            if i % 5:
                assert (status, body) == (200, {"message": f"Welcome u{i % 40}@example.com"})
            else:
                assert (status, body) == (401, MISSING)
    finally:
        auth.close_sync()


async def test_authenticate_sync_on_the_home_loops_own_thread_is_a_config_error() -> None:
    """It would wait for itself: a clear ConfigError, never a hang or a RuntimeError."""
    auth = new_auth()
    await auth.start()
    with pytest.raises(ConfigError, match=r"await auth\.authenticate"):
        auth.authenticate_sync(mint(KEY))
    await auth.close()


async def test_one_authenticator_serves_an_async_app_and_sync_views_in_one_process() -> None:
    """An async app started it; Flask views on other threads are served on the app's loop."""
    auth = new_auth()
    await auth.start()
    flask = flask_app(auth)
    token = mint(KEY, email="flask@example.com")

    def sync_call() -> tuple[int, Any]:
        reply = flask.test_client().get("/me", headers={"Authorization": f"Bearer {token}"})
        return reply.status_code, reply.get_json()

    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = await asyncio.gather(*(loop.run_in_executor(pool, sync_call) for _ in range(8)))
    assert results == [(200, {"message": "Welcome flask@example.com"})] * 8
    assert (await auth.authenticate(token)).email == "flask@example.com"
    await auth.close()


def test_sync_first_then_an_async_app_on_another_loop() -> None:
    """Flask came first (the private loop thread); an async app's calls go to that loop."""
    auth = new_auth()
    token = mint(KEY)
    assert auth.authenticate_sync(token).sub == "user-1"

    async def from_an_app() -> str:
        principal = await auth.authenticate(token)
        return principal.sub

    assert asyncio.run(from_an_app()) == "user-1"
    with pytest.raises(MissingTokenError):
        asyncio.run(auth.authenticate(None))
    auth.close_sync()


async def test_async_with_starts_and_closes() -> None:
    async with new_auth() as auth:
        assert (await auth.authenticate(mint(KEY))).sub == "user-1"
    assert not auth._started
