"""FastAPI behind gatepass: ``Depends(auth)`` and ``Depends(auth.require(roles=[...]))``.

``create_app(auth)`` takes any Authenticator; ``app`` (what uvicorn imports) is
built on first access from ``GATEPASS_*`` variables (see README.md).
"""

from functools import cache
from typing import Annotated

from fastapi import Depends, FastAPI

from gatepass.protect import Authenticator, Principal, authenticator_from_env


def create_app(auth: Authenticator) -> FastAPI:
    app = FastAPI(title="gatepass-protected API", lifespan=auth.lifespan)
    auth.install(app)  # 401/403 answers with the guide's {"error", "message"} bodies
    user_dependency = Depends(auth)
    admin_dependency = Depends(auth.require(roles=["admin"]))

    @app.get("/public")
    async def public() -> dict[str, str]:
        return {"message": "Hello, anyone"}

    @app.get("/dashboard")
    async def dashboard(user: Annotated[Principal, user_dependency]) -> dict[str, str]:
        return {"message": f"Welcome {user.email}"}

    @app.get("/admin")
    async def admin(user: Annotated[Principal, admin_dependency]) -> dict[str, str]:
        return {"message": f"Welcome to the admin area, {user.email}"}

    return app


@cache
def _app_from_env() -> FastAPI:
    return create_app(authenticator_from_env())


def __getattr__(name: str) -> object:
    if name == "app":
        return _app_from_env()
    raise AttributeError(name)
