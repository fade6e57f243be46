"""The apps bench/protect_bench.py serves: one route, five ways of guarding it.

The signing key arrives as a private JWK in ``BENCH_JWK`` (the bench mints
the tokens); every app verifies with its public half only.
"""

import os
from typing import Annotated, Any

import jwt as pyjwt
import orjson
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, GatepassMiddleware, Principal

ISSUER = "https://auth.bench.test"
AUDIENCE = "gatepass"


def _public_key() -> Key:
    return Key.import_jwk(orjson.loads(os.environ["BENCH_JWK"])).public_key()


def _authenticator(cache_size: int = 10_000) -> Authenticator:
    keys = KeySet([_public_key()])
    return Authenticator(issuer=ISSUER, audience=AUDIENCE, keys=keys, cache_size=cache_size)


def open_app() -> FastAPI:
    """No authentication at all: the ceiling."""
    app = FastAPI()

    @app.get("/dashboard")
    async def dashboard() -> dict[str, str]:
        return {"message": "Welcome ada@example.com"}

    return app


def _dependency_app(auth: Authenticator) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)
    user_dependency = Depends(auth)

    @app.get("/dashboard")
    async def dashboard(user: Annotated[Principal, user_dependency]) -> dict[str, str]:
        return {"message": f"Welcome {user.email}"}

    return app


def trivial_dependency_app() -> FastAPI:
    """The same route with a dependency that does nothing: FastAPI's own cost of one."""
    app = FastAPI()

    async def nothing(request: HTTPConnection) -> str:
        return "ada@example.com"

    @app.get("/dashboard")
    async def dashboard(email: Annotated[str, Depends(nothing)]) -> dict[str, str]:
        return {"message": f"Welcome {email}"}

    return app


def gatepass_dependency_app() -> FastAPI:
    """``Depends(auth)``, the verified-token cache on (the default)."""
    return _dependency_app(_authenticator())


def gatepass_nocache_app() -> FastAPI:
    """``Depends(auth)`` with the cache off: every request verifies the signature."""
    return _dependency_app(_authenticator(cache_size=0))


def gatepass_middleware_app() -> Any:
    """``GatepassMiddleware`` around the same FastAPI app."""
    auth = _authenticator()
    app = FastAPI()

    @app.get("/dashboard")
    async def dashboard() -> dict[str, str]:
        return {"message": "Welcome ada@example.com"}

    return GatepassMiddleware(app, authenticator=auth)


def pyjwt_app() -> FastAPI:
    """What the tutorials write: HTTPBearer + PyJWT (an async dependency, so no
    threadpool hop), given a prepared key object."""
    public = _public_key().public_crypto
    bearer = HTTPBearer()
    app = FastAPI()

    async def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
    ) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = pyjwt.decode(
                credentials.credentials,
                public,  # type: ignore[arg-type]
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=ISSUER,
            )
        except pyjwt.PyJWTError:
            raise HTTPException(401, "Invalid or expired token") from None
        return claims

    @app.get("/dashboard")
    async def dashboard(
        user: Annotated[dict[str, Any], Depends(current_user)],
    ) -> dict[str, str]:
        return {"message": f"Welcome {user['email']}"}

    return app


def _starlette(middleware: bool) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def dashboard(request: Request) -> JSONResponse:
        return JSONResponse({"message": "Welcome ada@example.com"})

    app = Starlette(routes=[Route("/dashboard", dashboard), Route("/openapi.json", dashboard)])
    return GatepassMiddleware(app, authenticator=_authenticator()) if middleware else app


def starlette_open_app() -> Any:
    """A bare Starlette endpoint: the baseline for the middleware's overhead."""
    return _starlette(middleware=False)


def starlette_middleware_app() -> Any:
    """The same Starlette endpoint behind ``GatepassMiddleware``."""
    return _starlette(middleware=True)
