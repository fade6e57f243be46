"""The FastAPI dependency on its own: the guide's bodies without install()."""

from typing import Annotated

import httpx
from fastapi import Depends, FastAPI

from gatepass.protect import (
    Principal,
)
from tests.protect.apps import MISSING, new_auth


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
