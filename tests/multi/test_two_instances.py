"""Two gatepass processes, one PostgreSQL database, one Redis: one service to a client."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gatepass.store.sql.engine import async_url
from tests.multi.conftest import Launch, fresh_database
from tests.services import unique
from tests.serving import Served

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PASSWORD = "correct horse battery"
CONCURRENT = 10


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _login(client: httpx.AsyncClient, base: str, email: str) -> dict[str, Any]:
    creds = {"email": email, "password": PASSWORD}
    assert (await client.post(f"{base}/auth/register", json=creds)).status_code == 201
    reply = await client.post(f"{base}/auth/login", json=creds)
    assert reply.status_code == 200, reply.text
    tokens: dict[str, Any] = reply.json()
    return tokens


async def _refresh_rows(database_url: str, session_id: str) -> int:
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.connect() as conn:
            query = text("SELECT COUNT(*) FROM refresh_tokens WHERE session_id = :sid")
            return int((await conn.execute(query, {"sid": session_id})).scalar_one())
    finally:
        await engine.dispose()


async def test_login_on_a_refresh_on_b(instances: list[Served]) -> None:
    a, b = instances
    async with httpx.AsyncClient(timeout=15) as client:
        tokens = await _login(client, a.url, f"{unique('ada')}@example.com")
        me = await client.get(f"{b.url}/auth/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 200
        rotated = await client.post(
            f"{b.url}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert rotated.status_code == 200, rotated.text
        fresh = bearer(rotated.json()["access_token"])
        assert (await client.get(f"{a.url}/dashboard", headers=fresh)).status_code == 200


async def test_one_refresh_token_raced_on_both_makes_one_successor(
    instances: list[Served], multi_database: str
) -> None:
    a, b = instances
    async with httpx.AsyncClient(timeout=15) as client:
        tokens = await _login(client, a.url, f"{unique('bea')}@example.com")
        body = {"refresh_token": tokens["refresh_token"]}
        replies = await asyncio.gather(
            *(
                client.post(f"{server.url}/auth/refresh", json=body)
                for server in [a, b] * (CONCURRENT // 2)
            )
        )
    assert [r.status_code for r in replies] == [200] * CONCURRENT, [r.text for r in replies]
    assert len({r.json()["refresh_token"] for r in replies}) == 1
    assert await _refresh_rows(multi_database, tokens["session_id"]) == 2


async def test_login_attempts_on_both_count_against_one_limit(launch: Launch) -> None:
    a, b = launch(
        2,
        env={"GATEPASS_LOGIN_LIMIT_PER_ACCOUNT_IP": "3", "GATEPASS_LOGIN_FAILURE_WINDOW": "300"},
    )
    wrong = {"email": f"{unique('cleo')}@example.com", "password": "wrong password"}
    async with httpx.AsyncClient(timeout=15) as client:
        codes = []
        for server in (a, b, a, b):
            reply = await client.post(f"{server.url}/auth/login", json=wrong)
            codes.append(reply.status_code)
        assert codes == [401, 401, 401, 429]
        blocked = await client.post(f"{a.url}/auth/login", json=wrong)
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "rate_limited"
    assert 1 <= int(blocked.headers["retry-after"]) <= 300


async def test_instances_started_together_on_an_empty_database_share_one_key(
    launch: Launch,
) -> None:
    with fresh_database() as url:
        a, b, c = launch(3, env={"GATEPASS_DATABASE_URL": url})
        async with httpx.AsyncClient(timeout=15) as client:
            sets = [(await client.get(f"{s.url}/.well-known/jwks.json")).json() for s in (a, b, c)]
            assert len(sets[0]["keys"]) == 1
            assert sets[1] == sets[0]
            assert sets[2] == sets[0]
            tokens = await _login(client, c.url, f"{unique('dan')}@example.com")
            for server in (a, b):
                me = await client.get(
                    f"{server.url}/auth/me", headers=bearer(tokens["access_token"])
                )
                assert me.status_code == 200
        for server in (a, b, c):  # before the database is dropped under them
            server.stop()
