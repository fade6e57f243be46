"""The RFC 6749 token endpoint (refresh_token grant) and RFC 7009 revocation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gatepass.settings import Settings
from tests.server.conftest import Server, start

TOKEN = "/auth/token"
REVOKE = "/auth/revoke"


async def _grant(server: Server, **form: str) -> httpx.Response:
    return await server.client.post(TOKEN, data=form)


def _assert_oauth_error(reply: httpx.Response, status: int, error: str) -> None:
    assert reply.status_code == status, reply.text
    body: dict[str, Any] = reply.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    assert reply.headers["cache-control"] == "no-store"


async def test_refresh_token_grant_answers_rfc_6749_5_1(server: Server) -> None:
    tokens = await server.register_and_login()
    reply = await _grant(
        server, grant_type="refresh_token", refresh_token=tokens["refresh_token"], client_id="spa"
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["pragma"] == "no-cache"
    body = reply.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == server.settings.access_ttl
    assert body["refresh_token"] != tokens["refresh_token"]
    me = await server.client.get(
        "/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    again = await _grant(server, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert again.status_code == 200, again.text


async def test_it_is_the_same_rotation_as_auth_refresh(server: Server) -> None:
    """Inside the grace window a replay at /token gets /auth/refresh's successor."""
    tokens = await server.register_and_login()
    rotated = await server.client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert rotated.status_code == 200
    newest = rotated.json()["refresh_token"]
    replay = await _grant(server, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert replay.status_code == 200, replay.text
    assert replay.json()["refresh_token"] == newest
    events = [e.event for e in await server.store.list_audit_events(limit=20)]
    assert events.count("refresh") == 2


async def test_reuse_at_the_token_endpoint_revokes_the_session() -> None:
    async for server in start(Settings(refresh_grace=0)):
        tokens = await server.register_and_login()
        first = await _grant(
            server, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
        assert first.status_code == 200
        reused = await _grant(
            server, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
        _assert_oauth_error(reused, 400, "invalid_grant")
        assert reused.json()["error_description"].startswith("Refresh token reuse detected")
        successor = await _grant(
            server, grant_type="refresh_token", refresh_token=first.json()["refresh_token"]
        )
        _assert_oauth_error(successor, 400, "invalid_grant")
        events = [e.event for e in await server.store.list_audit_events(limit=20)]
        assert "refresh_token_reused" in events


async def test_unknown_refresh_token_is_invalid_grant(server: Server) -> None:
    reply = await _grant(server, grant_type="refresh_token", refresh_token="not-a-token")
    _assert_oauth_error(reply, 400, "invalid_grant")
    assert "not-a-token" not in reply.text
    too_long = await _grant(server, grant_type="refresh_token", refresh_token="x" * 600)
    _assert_oauth_error(too_long, 400, "invalid_grant")


REFRESH = {"grant_type": "refresh_token", "refresh_token": "t"}


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({}, 400, "invalid_request"),
        ({"grant_type": "refresh_token"}, 400, "invalid_request"),
        ({"grant_type": "password", "username": "a"}, 400, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "code": "x"}, 400, "unsupported_grant_type"),
        ({**REFRESH, "scope": "admin"}, 400, "invalid_scope"),
        ({**REFRESH, "client_secret": "s"}, 401, "invalid_client"),
    ],
    ids=["empty", "no-refresh-token", "password", "code", "scope", "client-secret"],
)
async def test_bad_requests_get_rfc_6749_5_2_errors(
    server: Server, form: dict[str, str], status: int, error: str
) -> None:
    _assert_oauth_error(await _grant(server, **form), status, error)


async def test_repeated_parameters_are_refused(server: Server) -> None:
    reply = await server.client.post(
        TOKEN,
        content=b"grant_type=refresh_token&refresh_token=a&refresh_token=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _assert_oauth_error(reply, 400, "invalid_request")


async def test_a_json_body_is_not_a_token_request(server: Server) -> None:
    tokens = await server.register_and_login()
    reply = await server.client.post(
        TOKEN, json={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    _assert_oauth_error(reply, 400, "invalid_request")
    # Nothing was rotated: the token still works where it should.
    ok = await _grant(server, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert ok.status_code == 200


async def test_rate_limited_grants_say_when_to_retry() -> None:
    async for server in start(Settings(refresh_limit_per_ip=2)):
        for _ in range(2):
            await _grant(server, grant_type="refresh_token", refresh_token="nope")
        reply = await _grant(server, grant_type="refresh_token", refresh_token="nope")
        _assert_oauth_error(reply, 429, "temporarily_unavailable")
        assert int(reply.headers["retry-after"]) >= 1


@pytest.mark.parametrize("which", ["refresh_token", "access_token"])
async def test_revocation_ends_the_session(server: Server, which: str) -> None:
    tokens = await server.register_and_login()
    reply = await server.client.post(REVOKE, data={"token": tokens[which]})
    assert reply.status_code == 200, reply.text
    assert reply.content == b""
    me = await server.client.get(
        "/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 401
    grant = await _grant(server, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    _assert_oauth_error(grant, 400, "invalid_grant")
    # Revoking again, or revoking a token gatepass never issued, is 200 too (RFC 7009 §2.2).
    assert (await server.client.post(REVOKE, data={"token": tokens[which]})).status_code == 200
    assert (await server.client.post(REVOKE, data={"token": "x" * 2000})).status_code == 200


async def test_revocation_needs_a_token(server: Server) -> None:
    _assert_oauth_error(await server.client.post(REVOKE, data={}), 400, "invalid_request")
