"""Reference apps for bench/server_bench.py (served by uvicorn on loopback)."""

import os
from typing import Annotated, Any

import jwt as pyjwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gatepass.server import create_app

SECRET = os.environ.get("BENCH_SECRET", "")


def gatepass_open_app() -> FastAPI:
    """The gatepass app itself (same middleware, same error handling) with one
    more route that answers like the bare app's /dashboard (a dict, FastAPI's
    usual serialisation) but checks no token: the gatepass stack's cost."""
    app = create_app()

    @app.get("/open")
    async def open_dashboard() -> dict[str, str]:
        return {"message": "Welcome ada@example.com"}

    # First, where create_app puts /dashboard: routes are matched in order.
    app.router.routes.insert(0, app.router.routes.pop())
    return app


def plain_app() -> FastAPI:
    """A bare FastAPI app with the same route and no authentication at all."""
    app = FastAPI()

    @app.get("/dashboard")
    async def dashboard() -> dict[str, str]:
        return {"message": "Welcome ada@example.com"}

    return app


def pyjwt_app() -> FastAPI:
    """What the tutorials write: FastAPI + HTTPBearer + PyJWT HS256."""
    app = FastAPI()
    bearer = HTTPBearer()

    def verify(creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = pyjwt.decode(creds.credentials, SECRET, algorithms=["HS256"])
        except pyjwt.PyJWTError:
            raise HTTPException(401, "Invalid or expired token") from None
        return claims

    @app.get("/dashboard")
    async def dashboard(user: Annotated[dict[str, Any], Depends(verify)]) -> dict[str, str]:
        return {"message": f"Welcome {user['email']}"}

    return app
