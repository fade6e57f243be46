"""The ASGI middleware: excluded paths, websockets, the lifespan."""

import asyncio
from typing import Any

import httpx

from gatepass.protect import (
    GatepassMiddleware,
)
from tests.protect.apps import (
    KEY,
    new_auth,
    starlette_app,
)
from tests.protect.helpers import mint


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
