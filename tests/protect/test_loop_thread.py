"""Sync callers (Flask) and async apps on one Authenticator: home loop, private loop thread."""

import asyncio
import concurrent.futures
from typing import Any

import pytest

from gatepass.errors import ConfigError, MissingTokenError
from tests.protect.apps import (
    KEY,
    flask_app,
    new_auth,
)
from tests.protect.helpers import mint


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
