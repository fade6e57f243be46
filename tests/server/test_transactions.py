"""A 503 from login or refresh means nothing happened: the same request sent again succeeds.

The audit insert, the last statement of each transaction, fails once (as a
dropped connection does). The client gets 503 with ``Retry-After``; it sends
the same refresh token again after the grace window (an injected clock, no
sleeping), and the refresh succeeds: the session is not taken for stolen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gatepass.errors import ServiceUnavailableError
from gatepass.settings import Settings
from gatepass.store.sql.store import SqlStore
from tests.clock import Clock
from tests.server.conftest import PASSWORD, Server, start
from tests.store.conftest import SQL_BACKENDS, failing_statements, sql_store_maker

GRACE = 10
AUDIT_INSERT = "INSERT INTO audit_events"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=SQL_BACKENDS)
async def server(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock
) -> AsyncIterator[Server]:
    async with sql_store_maker(request.param, tmp_path) as make:
        async for running in start(Settings(refresh_grace=GRACE), make(), clock=clock):
            yield running


def sql(server: Server) -> SqlStore:
    assert isinstance(server.store, SqlStore)
    return server.store


def assert_unavailable_with_retry_after(reply_status: int, headers: dict[str, str]) -> None:
    assert reply_status == 503
    assert headers["retry-after"] == str(ServiceUnavailableError.default_retry_after)


async def test_a_failed_refresh_is_retried_after_the_grace_window(
    server: Server, clock: Clock
) -> None:
    tokens = await server.register_and_login()
    body = {"refresh_token": tokens["refresh_token"]}
    # anywhere: on PostgreSQL the audit insert is inside the rotation's one statement
    with failing_statements(sql(server), AUDIT_INSERT, anywhere=True) as failed:
        first = await server.client.post("/auth/refresh", json=body)
    assert failed, "the audit insert was not reached"
    assert_unavailable_with_retry_after(first.status_code, dict(first.headers))
    assert first.json()["error"] == "service_unavailable"

    clock.now += GRACE + 5  # the old split would now see reuse and revoke the session
    retry = await server.client.post("/auth/refresh", json=body)
    assert retry.status_code == 200, retry.text
    assert retry.json()["session_id"] == tokens["session_id"]
    session = await server.store.get_session(tokens["session_id"])
    assert session is not None
    assert session.revoked_at is None
    events = [e.event for e in await server.store.list_audit_events()]
    assert events.count("refresh") == 1
    assert "refresh_token_reused" not in events
    # The chain goes on from the successor the retry delivered.
    clock.now += 1
    onward = {"refresh_token": retry.json()["refresh_token"]}
    assert (await server.client.post("/auth/refresh", json=onward)).status_code == 200


async def test_a_failed_login_leaves_no_session(server: Server) -> None:
    creds = {"email": "ada@example.com", "password": PASSWORD}
    assert (await server.client.post("/auth/register", json=creds)).status_code == 201
    # On PostgreSQL the audit insert travels in the login's one statement (CTEs).
    with failing_statements(sql(server), AUDIT_INSERT, anywhere=True) as failed:
        first = await server.client.post("/auth/login", json=creds)
    assert failed, "the audit insert was not reached"
    assert_unavailable_with_retry_after(first.status_code, dict(first.headers))
    assert await server.store.list_sessions(now=0) == []
    retry = await server.client.post("/auth/login", json=creds)
    assert retry.status_code == 200, retry.text
    [session] = await server.store.list_sessions(now=0)
    assert session.id == retry.json()["session_id"]
    assert [e.event for e in await server.store.list_audit_events()] == ["login"]
