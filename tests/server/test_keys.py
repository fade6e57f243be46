"""Keys rotated elsewhere reach the running server; the first start makes one key."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gatepass.jose import Key
from gatepass.jose.jwt import decode_unverified
from gatepass.kek import key_encryption_key
from gatepass.server.keys import SigningKeys
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.keyring import new_signing_record
from tests.server.conftest import Server
from tests.server.instances import eventually, running, shared_stores
from tests.store.conftest import SQL_BACKENDS

ISSUE: dict[str, Any] = {
    "user_id": "u1",
    "email": "ada@example.com",
    "role": "user",
    "session_id": "s1",
}


@pytest.fixture(params=SQL_BACKENDS)
async def app_and_handle(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Server, Store]]:
    """An app syncing keys every 0.2 s, and a second store handle on its database."""
    async with (
        shared_stores(request.param, tmp_path) as make,
        running(Settings(key_sync=0.2), make()) as server,
    ):
        yield server, make()


async def _rotate(store: Store, retire_in: float, *, demote: bool = True) -> Key:
    """What ``gatepass keys rotate`` does: a new active key, the old one retiring."""
    now = time.time()
    old = await store.list_signing_keys(statuses=["active"])
    key, record = new_signing_record(now, await key_encryption_key(Settings(), store))
    await store.add_signing_key(record)
    if demote:
        for previous in old:
            await store.set_signing_key_status(previous.kid, "retiring", retire_at=now + retire_in)
    return key


async def _kids(server: Server) -> set[str]:
    jwks = (await server.client.get("/.well-known/jwks.json")).json()
    return {k["kid"] for k in jwks["keys"]}


def _mint(server: Server, key: Key) -> str:
    state = server.app.state.gatepass
    issuer: AccessTokenIssuer = state.access
    token, _ = issuer.issue(key, now=time.time(), **ISSUE)
    return token


async def _status(server: Server, token: str) -> int:
    reply = await server.client.get("/dashboard", headers={"Authorization": f"Bearer {token}"})
    return reply.status_code


def _kid(token: str) -> str:
    header, _ = decode_unverified(token)
    kid: str = header["kid"]
    return kid


async def test_a_rotation_by_another_handle_reaches_the_running_server(
    app_and_handle: tuple[Server, Store],
) -> None:
    server, handle = app_and_handle
    before = await server.register_and_login()
    (old_kid,) = await _kids(server)
    new = await _rotate(handle, retire_in=900)
    await eventually(lambda: _has(server, {old_kid, new.kid}), within=1.0)
    # Tokens of the new key verify; tokens of the retiring key still do.
    assert await _status(server, _mint(server, new)) == 200
    assert await _status(server, before["access_token"]) == 200
    # And the server now signs with the new key.
    after = await server.client.post(
        "/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
    )
    assert _kid(after.json()["access_token"]) == new.kid


async def _has(server: Server, kids: set[str]) -> bool:
    return await _kids(server) == kids


async def test_a_retiring_key_leaves_the_jwks_at_retire_at(
    app_and_handle: tuple[Server, Store],
) -> None:
    server, handle = app_and_handle
    (old_kid,) = await _kids(server)
    old_token = _mint(server, server.app.state.gatepass.keyring.active)
    new = await _rotate(handle, retire_in=1.0)
    await eventually(lambda: _has(server, {old_kid, new.kid}), within=1.0)
    await eventually(lambda: _has(server, {new.kid}), within=2.5)
    assert await _status(server, old_token) == 401


async def test_half_done_rotation_two_active_keys_the_newest_signs(
    app_and_handle: tuple[Server, Store],
) -> None:
    server, handle = app_and_handle
    (old_kid,) = await _kids(server)
    new = await _rotate(handle, retire_in=900, demote=False)
    await eventually(lambda: _has(server, {old_kid, new.kid}), within=1.0)
    assert _kid(_mint(server, server.app.state.gatepass.keyring.active)) == new.kid
    assert await _status(server, _mint(server, new)) == 200


async def test_an_unknown_kid_triggers_one_early_reread(tmp_path: Path) -> None:
    async with (
        shared_stores("sqlite", tmp_path) as make,
        running(Settings(key_sync=60), make()) as server,
    ):
        new = await _rotate(make(), retire_in=900)
        # The periodic sync is a minute away; the unknown kid re-reads at once.
        assert await _status(server, _mint(server, new)) == 200
        # A forged kid right after costs no second read (cooldown) and is refused.
        stranger, _ = new_signing_record(time.time(), secrets.token_urlsafe(32))
        assert await _status(server, _mint(server, stranger)) == 401


@pytest.mark.parametrize("kind", SQL_BACKENDS)
async def test_servers_starting_together_on_an_empty_database_make_one_key(
    kind: str, tmp_path: Path
) -> None:
    for round_ in range(3):
        (tmp_path / str(round_)).mkdir()
        async with shared_stores(kind, tmp_path / str(round_)) as make:
            stores = [make() for _ in range(8)]
            await stores[0].migrate()
            # Open every pool first, so the loads really overlap.
            await asyncio.gather(*(s.health() for s in stores))
            holders = [SigningKeys(Settings(key_sync=60), s) for s in stores]
            await asyncio.gather(*(h.load() for h in holders))
            try:
                keys = await stores[0].list_signing_keys()
                assert [k.status for k in keys] == ["active"]
                assert {h.current.keyring.active.kid for h in holders} == {keys[0].kid}
            finally:
                for h in holders:
                    await h.stop()


async def test_a_rotation_keeps_live_cookie_sessions_and_their_csrf_tokens(
    app_and_handle: tuple[Server, Store],
) -> None:
    server, handle = app_and_handle
    await server.register_and_login()
    login = await server.client.post(
        "/auth/login",
        json={"email": "ada@example.com", "password": "correct horse battery", "cookies": True},
    )
    csrf = login.json()["csrf_token"]
    (old_kid,) = await _kids(server)
    new = await _rotate(handle, retire_in=900)
    await eventually(lambda: _has(server, {old_kid, new.kid}), within=1.0)
    # The CSRF token from before the rotation still works, for refresh and logout.
    refreshed = await server.client.post("/auth/refresh", headers={"X-CSRF-Token": csrf})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["csrf_token"] == csrf
    assert _kid(server.client.cookies["__Host-gatepass_access"]) == new.kid
    logout = await server.client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert logout.status_code == 204
