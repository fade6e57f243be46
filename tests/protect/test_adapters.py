"""The three adapters answer alike: FastAPI dependency, ASGI middleware, Flask decorator."""

from collections.abc import AsyncIterator

import pytest

from gatepass.protect import (
    Authenticator,
    JWKSClient,
)
from gatepass.protect.answers import KEYS_RETRY_AFTER_S
from tests.protect.apps import (
    ADAPTERS,
    FORBIDDEN_CODE,
    INVALID,
    KEY,
    MISSING,
    Caller,
    new_auth,
    running_caller,
)
from tests.protect.helpers import AUDIENCE, ISSUER, free_port, mint


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
