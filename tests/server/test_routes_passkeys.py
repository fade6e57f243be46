"""The passkey routes over HTTP, in process, with the software authenticator.

The flows' rules are tested in tests/flows (test_passkeys.py,
test_passkeys_login.py); here: bodies, statuses, cookie mode, CSRF, the
second step at /mfa/verify, /me, ownership (404), and the errors' answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gatepass.jose import decode_unverified
from gatepass.settings import Settings
from tests.authenticator import SoftAuthenticator
from tests.clock import Clock
from tests.server.conftest import PASSWORD, Server, start

ORIGIN = "https://testserver"
INVALID = {"error": "invalid_credential", "message": "The passkey was not accepted"}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    # The issuer is the test client's own origin: rp id "testserver".
    async for running in start(Settings(issuer=ORIGIN, refresh_grace=10)):
        yield running


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def registered(
    server: Server, email: str = "ada@example.com"
) -> tuple[SoftAuthenticator, dict[str, str], dict[str, Any]]:
    """A user with a passkey: its authenticator, the bearer header and the passkey's answer."""
    headers = bearer(await server.register_and_login(email))
    authenticator = SoftAuthenticator(origin=ORIGIN)
    options = await server.client.post("/auth/passkeys/register/options", headers=headers)
    assert options.status_code == 200, options.text
    assert options.headers["cache-control"] == "no-store"
    credential = authenticator.create(options.json())
    made = await server.client.post(
        "/auth/passkeys/register",
        json={"credential": credential, "name": "Laptop"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return authenticator, headers, made.json()


async def login_options(server: Server) -> dict[str, Any]:
    reply = await server.client.post("/auth/passkeys/login/options")
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    options: dict[str, Any] = reply.json()
    return options


async def test_register_answers_the_passkey_without_key_material(server: Server) -> None:
    _, headers, made = await registered(server)
    assert set(made) == {
        "id",
        "name",
        "credential_id",
        "created_at",
        "last_used_at",
        "transports",
        "backup_eligible",
        "backup_state",
        "aaguid",
    }
    assert made["name"] == "Laptop"
    assert made["last_used_at"] is None
    listed = await server.client.get("/auth/passkeys", headers=headers)
    assert listed.json() == {"passkeys": [made]}
    me = await server.client.get("/auth/me", headers=headers)
    assert me.json()["user"]["mfa"] == {"totp": False, "recovery_codes": 0, "passkeys": 1}


async def test_a_passkey_without_a_name_gets_the_default_one(server: Server) -> None:
    headers = bearer(await server.register_and_login())
    options = await server.client.post("/auth/passkeys/register/options", headers=headers)
    credential = SoftAuthenticator(origin=ORIGIN).create(options.json())
    made = await server.client.post(
        "/auth/passkeys/register", json={"credential": credential}, headers=headers
    )
    assert (made.status_code, made.json()["name"]) == (201, "Passkey")


async def test_registration_needs_an_access_token(server: Server) -> None:
    assert (await server.client.post("/auth/passkeys/register/options")).status_code == 401
    reply = await server.client.post("/auth/passkeys/register", json={"credential": {}})
    assert reply.status_code == 401
    assert (await server.client.get("/auth/passkeys")).status_code == 401


async def test_a_passkey_alone_logs_in_with_tokens_in_the_body(server: Server) -> None:
    authenticator, _, made = await registered(server)
    credential = authenticator.get(await login_options(server))
    reply = await server.client.post("/auth/passkeys/login", json={"credential": credential})
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert {"access_token", "refresh_token", "session_id"} <= set(body)
    _, claims = decode_unverified(body["access_token"])
    assert claims["amr"] == ["hwk", "user", "mfa"]
    assert isinstance(claims["auth_time"], int | float)
    listed = await server.client.get("/auth/passkeys", headers=bearer(body))
    assert listed.json()["passkeys"][0]["last_used_at"] is not None
    assert listed.json()["passkeys"][0]["id"] == made["id"]


async def test_a_passkey_login_in_cookie_mode_sets_cookies_and_a_csrf_token(
    server: Server,
) -> None:
    authenticator, _, _ = await registered(server)
    credential = authenticator.get(await login_options(server))
    reply = await server.client.post(
        "/auth/passkeys/login", json={"credential": credential, "cookies": True}
    )
    assert reply.status_code == 200, reply.text
    assert "csrf_token" in reply.json()
    assert "refresh_token" not in reply.json()
    me = await server.client.get("/auth/me")
    assert me.status_code == 200
    # cookie callers change passkeys only with the CSRF token
    forged = await server.client.get("/auth/passkeys")
    assert forged.status_code == 200  # a read is safe
    options = await server.client.post("/auth/passkeys/register/options")
    assert (options.status_code, options.json()["error"]) == (403, "csrf_failed")
    csrf = {"X-CSRF-Token": reply.json()["csrf_token"]}
    good = await server.client.post("/auth/passkeys/register/options", headers=csrf)
    assert good.status_code == 200


async def test_refusals_are_one_401(server: Server) -> None:
    authenticator, _, _ = await registered(server)
    options = await login_options(server)
    answer = authenticator.get(options)
    ok = await server.client.post("/auth/passkeys/login", json={"credential": answer})
    assert ok.status_code == 200
    replayed = await server.client.post("/auth/passkeys/login", json={"credential": answer})
    assert (replayed.status_code, replayed.json()) == (401, INVALID)
    other = authenticator.get(await login_options(server), origin="https://evil.test")
    reply = await server.client.post("/auth/passkeys/login", json={"credential": other})
    assert (reply.status_code, reply.json()) == (401, INVALID)
    clone = authenticator.get(await login_options(server), sign_count=1)
    reply = await server.client.post("/auth/passkeys/login", json={"credential": clone})
    assert (reply.status_code, reply.json()) == (401, INVALID)
    events = [e.event for e in await server.store.list_audit_events()]
    assert events.count("passkey_clone_suspected") == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"credential": "a string"},
        {"credential": {}},
        {"credential": {"id": "x"}, "extra": 1},
        {"credential": {"id": 1, "rawId": [], "response": None, "type": 5}},
        {"credential": {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}}},
        {
            "credential": {
                "id": "A",  # no bytes have a one-character base64url form
                "rawId": "AA",
                "type": "public-key",
                "response": {"clientDataJSON": "e30", "authenticatorData": "", "signature": ""},
            }
        },
    ],
)
async def test_wrong_shapes_are_422_never_500(server: Server, body: dict[str, Any]) -> None:
    reply = await server.client.post("/auth/passkeys/login", json=body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"] == "invalid_request"
    assert "a string" not in reply.text  # never echoed


async def test_a_credential_of_the_right_shape_that_is_junk_is_401(server: Server) -> None:
    junk = {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AA"},
        "clientExtensionResults": {"anything": [1, 2]},  # ignored
    }
    reply = await server.client.post("/auth/passkeys/login", json={"credential": junk})
    assert (reply.status_code, reply.json()) == (401, INVALID)


async def test_bad_json_is_422(server: Server) -> None:
    reply = await server.client.post(
        "/auth/passkeys/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (reply.status_code, reply.json()["error"]) == (422, "invalid_request")


async def test_rename_and_delete_only_ones_own(server: Server) -> None:
    _, alice, made = await registered(server)
    _, bob, _ = await registered(server, "bob@example.com")
    path = f"/auth/passkeys/{made['id']}"
    stolen = await server.client.patch(path, json={"name": "Mine"}, headers=bob)
    assert (stolen.status_code, stolen.json()["error"]) == (404, "not_found")
    assert (await server.client.delete(path, headers=bob)).status_code == 404
    for name in ("a\nb", "a\u202eb", "a\x85b", "  "):
        bad = await server.client.patch(path, json={"name": name}, headers=alice)
        assert (bad.status_code, bad.json()["error"]) == (422, "invalid_request"), name
        assert name not in bad.text
    not_an_id = await server.client.patch("/auth/passkeys/x", json={"name": "A"}, headers=alice)
    assert not_an_id.status_code == 404
    # /passkeys/login and /passkeys/register are never taken for a passkey's id
    wrong = await server.client.patch("/auth/passkeys/login", json={"name": "A"}, headers=alice)
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")
    renamed = await server.client.patch(path, json={"name": "Phone"}, headers=alice)
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Phone")
    assert (await server.client.delete(path, headers=alice)).status_code == 204
    assert (await server.client.delete(path, headers=alice)).status_code == 404
    assert (await server.client.get("/auth/passkeys", headers=alice)).json() == {"passkeys": []}
    events = [e.event for e in await server.store.list_audit_events()]
    assert "passkey_removed" in events


async def test_a_passkey_finishes_a_password_login(server: Server) -> None:
    authenticator, _, _ = await registered(server)
    step = await server.client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD, "cookies": True}
    )
    assert step.status_code == 200
    body = step.json()
    assert body["mfa_required"] is True
    assert body["methods"] == ["passkey"]
    assert "set-cookie" not in step.headers
    options = await server.client.post(
        "/auth/mfa/passkey/options", json={"mfa_token": body["mfa_token"]}
    )
    assert options.status_code == 200, options.text
    assert len(options.json()["allowCredentials"]) == 1
    wrong = authenticator.get(options.json(), rp_id="evil.test")
    refused = await server.client.post(
        "/auth/mfa/verify", json={"mfa_token": body["mfa_token"], "credential": wrong}
    )
    assert (refused.status_code, refused.json()) == (401, INVALID)
    options = await server.client.post(
        "/auth/mfa/passkey/options", json={"mfa_token": body["mfa_token"]}
    )
    done = await server.client.post(
        "/auth/mfa/verify",
        json={"mfa_token": body["mfa_token"], "credential": authenticator.get(options.json())},
    )
    assert done.status_code == 200, done.text
    assert "csrf_token" in done.json()  # the login asked for cookies
    _, claims = decode_unverified(done.json()["access_token"])
    assert claims["amr"] == ["pwd", "hwk", "user", "mfa"]


async def test_mfa_passkey_options_need_a_live_mfa_token(server: Server) -> None:
    reply = await server.client.post("/auth/mfa/passkey/options", json={"mfa_token": "x" * 43})
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_token")


async def test_deleting_the_account_takes_its_passkeys(server: Server) -> None:
    authenticator, headers, _ = await registered(server)
    gone = await server.client.request(
        "DELETE", "/auth/me", json={"password": PASSWORD}, headers=headers
    )
    assert gone.status_code == 204, gone.text
    credential = authenticator.get(await login_options(server))
    reply = await server.client.post("/auth/passkeys/login", json={"credential": credential})
    assert (reply.status_code, reply.json()) == (401, INVALID)


async def test_adding_or_deleting_a_passkey_needs_a_recent_login() -> None:
    """A stolen session must not add the thief's passkey (a way in that outlives the
    session) nor remove the owner's: both need a login within 10 minutes."""
    clock = Clock()
    async for server in start(Settings(issuer=ORIGIN, refresh_grace=10), clock=clock):
        _, headers, made = await registered(server)
        clock.now += 601
        stale = {"error": "insufficient_user_authentication"}
        for reply in (
            await server.client.post("/auth/passkeys/register/options", headers=headers),
            await server.client.post(
                "/auth/passkeys/register", json={"credential": {}}, headers=headers
            ),
            await server.client.delete(f"/auth/passkeys/{made['id']}", headers=headers),
        ):
            assert reply.status_code == 401, reply.text
            assert reply.json()["error"] == stale["error"]
            assert 'max_age="600"' in reply.headers["www-authenticate"]
        # Renaming and listing change no way in: a stale login may
        renamed = await server.client.patch(
            f"/auth/passkeys/{made['id']}", json={"name": "Desk"}, headers=headers
        )
        assert renamed.status_code == 200, renamed.text
        again = await server.client.post(
            "/auth/reauthenticate", json={"password": PASSWORD}, headers=headers
        )
        assert again.status_code == 200, again.text
        fresh = bearer(again.json())
        gone = await server.client.delete(f"/auth/passkeys/{made['id']}", headers=fresh)
        assert gone.status_code == 204, gone.text
