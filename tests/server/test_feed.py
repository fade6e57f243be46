"""The revocation feed: GET /auth/revocations, its token, its shape and its validation."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gatepass.revocation import entry_from_json
from gatepass.settings import Secret, Settings
from tests.server.conftest import Server, start

FEED_TOKEN = secrets.token_urlsafe(32)


@pytest.fixture
async def feed_server() -> AsyncIterator[Server]:
    async for running in start(Settings(revocation_feed_token=Secret(FEED_TOKEN))):
        yield running


async def _feed(server: Server, query: str = "", token: str | None = FEED_TOKEN) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return await server.client.get(f"/auth/revocations{query}", headers=headers)


async def test_without_a_feed_token_the_feed_does_not_exist(server: Server) -> None:
    reply = await _feed(server)
    assert reply.status_code == 404
    assert reply.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_token"),
        ("Bearer wrong", "invalid_token"),
        (f"Basic {FEED_TOKEN}", "invalid_token"),
        (f"Bearer {FEED_TOKEN}x", "invalid_token"),
        (f"Bearer {FEED_TOKEN[:-1]}", "invalid_token"),
        ("Bearer ", "invalid_token"),
    ],
)
async def test_a_missing_or_wrong_token_is_401(
    feed_server: Server, header: str | None, code: str
) -> None:
    headers = {} if header is None else {"Authorization": header}
    # Bad query too: authentication is checked first, a stranger never sees a 422.
    reply = await feed_server.client.get("/auth/revocations?since=-5", headers=headers)
    assert reply.status_code == 401
    assert reply.json()["error"] == code
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert FEED_TOKEN not in reply.text


async def test_an_access_token_does_not_open_the_feed(feed_server: Server) -> None:
    tokens = await feed_server.register_and_login()
    assert (await _feed(feed_server, token=tokens["access_token"])).status_code == 401


async def test_empty_feed(feed_server: Server) -> None:
    reply = await _feed(feed_server)
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "no-store"
    assert reply.json() == {"entries": [], "cursor": 0}
    assert (await _feed(feed_server, "?since=42")).json() == {"entries": [], "cursor": 42}


async def test_logout_and_logout_all_appear_in_seq_order(feed_server: Server) -> None:
    ada = await feed_server.register_and_login("ada@example.com")
    bob = await feed_server.register_and_login("bob@example.com")
    auth = {"Authorization": f"Bearer {ada['access_token']}"}
    assert (await feed_server.client.post("/auth/logout", headers=auth)).status_code == 204
    auth = {"Authorization": f"Bearer {bob['access_token']}"}
    assert (await feed_server.client.post("/auth/logout/all", headers=auth)).status_code == 204

    body = (await _feed(feed_server)).json()
    entries = [entry_from_json(e) for e in body["entries"]]
    assert [(e.kind, e.subject) for e in entries] == [
        ("session", ada["session_id"]),
        ("user", entries[1].subject),
    ]
    assert entries[0].seq < entries[1].seq
    assert body["cursor"] == entries[1].seq
    ttl = feed_server.settings.access_ttl
    assert all(e.expires_at == pytest.approx(e.not_before + ttl) for e in entries)

    after_first = (await _feed(feed_server, f"?since={entries[0].seq}")).json()
    assert [e["seq"] for e in after_first["entries"]] == [entries[1].seq]
    limited = (await _feed(feed_server, "?since=0&limit=1")).json()
    assert [e["seq"] for e in limited["entries"]] == [entries[0].seq]
    assert limited["cursor"] == entries[0].seq


@pytest.mark.parametrize(
    "query",
    [
        "?since=-1",
        "?since=abc",
        "?since=1.5",
        f"?since={2**63}",
        "?limit=0",
        "?limit=1001",
        "?limit=ten",
        "?since=",
    ],
)
async def test_bad_since_or_limit_is_422(feed_server: Server, query: str) -> None:
    reply = await _feed(feed_server, query)
    assert reply.status_code == 422
    body = reply.json()
    assert body["error"] == "invalid_request"
    assert "abc" not in body["message"]
    assert "ten" not in body["message"]
