"""Each example app, with an injected Authenticator: 200, the two 401s, 403, and revocation."""

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from examples.fastapi_app.app import create_app as fastapi_app
from examples.flask_app.app import create_app as flask_app
from examples.starlette_app.app import create_app as starlette_app

from gatepass.jose import Key
from gatepass.protect import Authenticator, RevocationSync
from tests.protect.helpers import (
    AUDIENCE,
    FEED_TOKEN,
    ISSUER,
    SECRET,
    FakeAuthServer,
    eventually,
    mint,
    running,
)

KEY = Key.from_secret(SECRET, alg="HS256", kid="hs256")  # the server's GATEPASS_JWT_SECRET mode
MISSING = {"error": "missing_token", "message": "No token provided"}
INVALID = {"error": "invalid_token", "message": "Invalid or expired token"}


@dataclass
class Example:
    kind: str
    auth: Authenticator
    feed: FakeAuthServer
    asgi: httpx.AsyncClient | None = None
    flask: Any = None

    async def get(self, path: str, authorization: str | None = None) -> httpx.Response:
        headers = {} if authorization is None else {"Authorization": authorization}
        if self.asgi is not None:
            return await self.asgi.get(path, headers=headers)
        reply = self.flask.get(path, headers=headers)
        return httpx.Response(reply.status_code, headers=dict(reply.headers), content=reply.data)


@pytest.fixture(params=["fastapi", "starlette", "flask"])
async def example(request: pytest.FixtureRequest) -> AsyncIterator[Example]:
    feed = FakeAuthServer()
    with running(feed.app()) as base:
        sync = RevocationSync(auth_url=base, feed_token=FEED_TOKEN, allow_insecure_loopback=True)
        auth = Authenticator(issuer=ISSUER, audience=AUDIENCE, secret=SECRET, revocations=sync)
        if request.param == "flask":
            yield Example("flask", auth, feed, flask=flask_app(auth).test_client())
            auth.close_sync()
            return
        app: Any = fastapi_app(auth) if request.param == "fastapi" else starlette_app(auth)
        transport = httpx.ASGITransport(app=app)
        async with auth, httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield Example(request.param, auth, feed, asgi=client)


async def test_the_public_route_needs_nothing(example: Example) -> None:
    assert (await example.get("/public")).json() == {"message": "Hello, anyone"}


async def test_a_valid_token_is_welcomed(example: Example) -> None:
    reply = await example.get("/dashboard", f"Bearer {mint(KEY)}")
    assert reply.status_code == 200
    assert reply.json() == {"message": "Welcome ada@example.com"}


async def test_no_token_is_401_missing_token(example: Example) -> None:
    reply = await example.get("/dashboard")
    assert reply.status_code == 401
    assert reply.json() == MISSING
    assert reply.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("authorization", ["Bearer abc.def.ghi", "Token x", "Bearer expired"])
async def test_a_bad_token_is_401_invalid_token(example: Example, authorization: str) -> None:
    if authorization == "Bearer expired":
        authorization = f"Bearer {mint(KEY, ttl=1, now=time.time() - 60)}"
    reply = await example.get("/dashboard", authorization)
    assert reply.status_code == 401
    assert reply.json() == INVALID
    assert reply.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_the_admin_route_needs_the_admin_role(example: Example) -> None:
    reply = await example.get("/admin", f"Bearer {mint(KEY, role='user')}")
    assert reply.status_code == 403
    assert reply.json()["error"] == "insufficient_scope"
    assert reply.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'
    admin = await example.get("/admin", f"Bearer {mint(KEY, role='admin')}")
    assert admin.status_code == 200


async def test_a_revoked_session_is_refused_within_a_second(example: Example) -> None:
    token = f"Bearer {mint(KEY, sid='s-revoked')}"
    assert (await example.get("/dashboard", token)).status_code == 200
    example.feed.revoke("session", "s-revoked")

    async def refused() -> bool:
        reply = await example.get("/dashboard", token)
        return reply.status_code == 401 and reply.json() == INVALID

    assert await eventually(refused, within=1.0) < 1.0
