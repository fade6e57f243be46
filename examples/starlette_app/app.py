"""Starlette behind ``GatepassMiddleware``: every path but ``/public`` needs a token.

``create_app(auth)`` takes any Authenticator; ``app`` (what uvicorn imports) is
built on first access from ``GATEPASS_*`` variables (see README.md).
"""

from functools import cache

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gatepass.protect import (
    Authenticator,
    GatepassMiddleware,
    authenticator_from_env,
    principal_of,
    requires,
)


async def public(_: Request) -> Response:
    return JSONResponse({"message": "Hello, anyone"})


async def dashboard(request: Request) -> Response:
    return JSONResponse({"message": f"Welcome {principal_of(request.scope).email}"})


@requires(roles=["admin"])
async def admin(request: Request) -> Response:
    email = principal_of(request.scope).email
    return JSONResponse({"message": f"Welcome to the admin area, {email}"})


def create_app(auth: Authenticator) -> Starlette:
    # The middleware also starts and closes the Authenticator with the app's lifespan.
    gate = Middleware(GatepassMiddleware, authenticator=auth, exclude=["/public"])
    routes = [Route("/public", public), Route("/dashboard", dashboard), Route("/admin", admin)]
    return Starlette(routes=routes, middleware=[gate])


@cache
def _app_from_env() -> Starlette:
    return create_app(authenticator_from_env())


def __getattr__(name: str) -> object:
    if name == "app":
        return _app_from_env()
    raise AttributeError(name)
