"""The three protected apps the protect tests call: FastAPI, ASGI middleware, Flask."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI
from flask import Flask, g
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from gatepass.jose import Key, KeySet
from gatepass.protect import (
    Authenticator,
    GatepassMiddleware,
    Principal,
    principal_of,
    requires,
)
from tests.protect.helpers import AUDIENCE, ISSUER

KEY = Key.generate("EdDSA")
MISSING = {"error": "missing_token", "message": "No token provided"}
INVALID = {"error": "invalid_token", "message": "Invalid or expired token"}
FORBIDDEN_CODE = "insufficient_scope"
ADAPTERS = ["fastapi", "starlette", "flask"]
#: ``/recent``'s limit on the login's age, in seconds.
STEP_UP_MAX_AGE = 300


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

    @app.get("/otp")
    async def otp(
        user: Annotated[Principal, Depends(auth.require(amr=["otp"]))],
    ) -> dict[str, str]:
        return {"sub": user.sub}

    @app.get("/recent")
    async def recent(
        user: Annotated[Principal, Depends(auth.require(max_age=STEP_UP_MAX_AGE))],
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

    @requires(amr=["otp"])
    async def otp(request: Request) -> Response:
        return JSONResponse({"sub": principal_of(request.scope).sub})

    @requires(max_age=STEP_UP_MAX_AGE)
    async def recent(request: Request) -> Response:
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
            Route("/otp", otp),
            Route("/recent", recent),
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

    @app.get("/otp")
    @auth.required(amr=["otp"])
    def otp() -> dict[str, str]:
        return {"sub": g.gatepass_principal.sub}

    @app.get("/recent")
    @auth.required(max_age=STEP_UP_MAX_AGE)
    def recent() -> dict[str, str]:
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
