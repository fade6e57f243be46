"""The sensitive routes' recent login, and ``POST /reauthenticate``, on a hand-moved clock.

Each sensitive route refuses a login older than ``GATEPASS_REAUTH_MAX_AGE``
(600 s) with RFC 9470's challenge, and takes it when it is recent or when the
request carries the proof: the password for a user without TOTP, a current
code (pyotp) for a user with it.
"""

from __future__ import annotations

from typing import Any

import pyotp

from gatepass.jose import decode_unverified
from gatepass.server import schemas
from tests.clock import T0
from tests.server.conftest import PASSWORD, Running

EMAIL = "ada@example.com"
STALE = {"error": "insufficient_user_authentication", "message": "A more recent login is required"}
CHALLENGE = (
    'Bearer error="insufficient_user_authentication", '
    'error_description="A more recent login is required", max_age="600"'
)
NEW_PASSWORD = "a brand new passphrase"


async def _signed_in(r: Running) -> dict[str, str]:
    tokens = await r.server.register_and_login(EMAIL)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _with_totp(r: Running) -> tuple[pyotp.TOTP, dict[str, str]]:
    """A user with TOTP on, signed in with the password and a code just now."""
    bearer = await _signed_in(r)
    setup = (await r.client.post("/auth/mfa/totp/setup", headers=bearer)).json()
    app = pyotp.TOTP(setup["secret"])
    confirm = await r.client.post(
        "/auth/mfa/totp/confirm", json={"code": app.at(r.clock())}, headers=bearer
    )
    assert confirm.status_code == 200, confirm.text
    r.clock.now += 30
    first = await r.client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD})
    verify = {"mfa_token": first.json()["mfa_token"], "code": app.at(r.clock())}
    done = await r.client.post("/auth/mfa/verify", json=verify)
    assert done.status_code == 200, done.text
    r.clock.now += 30
    return app, {"Authorization": f"Bearer {done.json()['access_token']}"}


def assert_stale(reply: Any) -> None:
    assert reply.status_code == 401, reply.text
    assert reply.json() == STALE
    assert reply.headers["www-authenticate"] == CHALLENGE
    assert reply.headers["cache-control"] == "no-store"


async def test_totp_setup_takes_a_recent_login_up_to_the_limit(running: Running) -> None:
    bearer = await _signed_in(running)
    running.clock.now += 600
    assert (await running.client.post("/auth/mfa/totp/setup", headers=bearer)).status_code == 200
    running.clock.now += 1
    assert_stale(await running.client.post("/auth/mfa/totp/setup", headers=bearer))


async def test_a_stale_totp_setup_and_confirm_take_the_password(running: Running) -> None:
    bearer = await _signed_in(running)
    running.clock.now += 601
    wrong = await running.client.post(
        "/auth/mfa/totp/setup", json={"password": "not the password"}, headers=bearer
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_credentials")
    setup = await running.client.post(
        "/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer
    )
    assert setup.status_code == 200, setup.text
    code = pyotp.TOTP(setup.json()["secret"]).at(running.clock())
    confirm = "/auth/mfa/totp/confirm"
    assert_stale(await running.client.post(confirm, json={"code": code}, headers=bearer))
    proven = {"code": code, "password": PASSWORD}
    assert (await running.client.post(confirm, json=proven, headers=bearer)).status_code == 200


async def test_without_totp_the_password_these_routes_take_is_the_proof(running: Running) -> None:
    bearer = await _signed_in(running)
    running.clock.now += 700
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    reply = await running.client.post("/auth/password/change", json=change, headers=bearer)
    assert reply.status_code == 204, reply.text
    moved = {"new_email": "ada@new.example", "password": NEW_PASSWORD}
    reply = await running.client.post("/auth/email/change", json=moved, headers=bearer)
    assert reply.status_code == 202, reply.text
    gone = await running.client.request(
        "DELETE", "/auth/me", json={"password": NEW_PASSWORD}, headers=bearer
    )
    assert gone.status_code == 204, gone.text


async def test_with_totp_a_stale_login_needs_a_code_besides_the_password(
    running: Running,
) -> None:
    app, bearer = await _with_totp(running)
    running.clock.now += 601
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    client = running.client
    assert_stale(await client.post("/auth/password/change", json=change, headers=bearer))
    wrong = await client.post(
        "/auth/password/change", json={**change, "code": "000000"}, headers=bearer
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_code")
    coded = {**change, "code": app.at(running.clock())}
    assert (
        await client.post("/auth/password/change", json=coded, headers=bearer)
    ).status_code == 204
    running.clock.now += 30
    moved = {"new_email": "ada@new.example", "password": NEW_PASSWORD}
    assert_stale(await client.post("/auth/email/change", json=moved, headers=bearer))
    moved["code"] = app.at(running.clock())
    assert (await client.post("/auth/email/change", json=moved, headers=bearer)).status_code == 202
    running.clock.now += 30
    gone = {"password": NEW_PASSWORD}
    assert_stale(await client.request("DELETE", "/auth/me", json=gone, headers=bearer))
    gone["code"] = app.at(running.clock())
    reply = await client.request("DELETE", "/auth/me", json=gone, headers=bearer)
    assert reply.status_code == 204, reply.text


async def test_with_totp_a_recent_login_needs_no_code(running: Running) -> None:
    _, bearer = await _with_totp(running)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    reply = await running.client.post("/auth/password/change", json=change, headers=bearer)
    assert reply.status_code == 204, reply.text


async def test_the_code_turning_totp_off_or_renewing_codes_is_the_proof(
    running: Running,
) -> None:
    app, bearer = await _with_totp(running)
    running.clock.now += 700
    renew = await running.client.post(
        "/auth/mfa/recovery-codes", json={"code": app.at(running.clock())}, headers=bearer
    )
    assert renew.status_code == 200, renew.text
    running.clock.now += 30
    off = await running.client.request(
        "DELETE", "/auth/mfa/totp", json={"code": app.at(running.clock())}, headers=bearer
    )
    assert off.status_code == 204, off.text


async def test_reauthenticate_freshens_the_session_for_old_and_new_tokens(
    running: Running,
) -> None:
    tokens = await running.server.register_and_login(EMAIL)
    old = {"Authorization": f"Bearer {tokens['access_token']}"}
    running.clock.now += 700
    assert_stale(await running.client.post("/auth/mfa/totp/setup", headers=old))
    reply = await running.client.post(
        "/auth/reauthenticate", json={"password": PASSWORD}, headers=old
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "session_id",
        "auth_time",
        "amr",
    }
    schemas.Reauthenticated.model_validate(body)  # what the OpenAPI document says
    assert (body["auth_time"], body["amr"], body["session_id"]) == (
        T0 + 700,
        ["pwd"],
        tokens["session_id"],
    )
    _, claims = decode_unverified(body["access_token"])
    assert (claims["auth_time"], claims["amr"], claims["sid"]) == (
        T0 + 700,
        ["pwd"],
        tokens["session_id"],
    )
    new = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await running.client.post("/auth/mfa/totp/setup", headers=new)).status_code == 200
    assert (await running.client.post("/auth/mfa/totp/setup", headers=old)).status_code == 200
    # The refresh token was not touched, and its refreshes carry the new auth_time.
    refreshed = await running.client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    _, claims = decode_unverified(refreshed.json()["access_token"])
    assert claims["auth_time"] == T0 + 700


async def test_a_wrong_password_at_reauthenticate_is_a_failed_login(running: Running) -> None:
    bearer = await _signed_in(running)
    reply = await running.client.post(
        "/auth/reauthenticate", json={"password": "not the password"}, headers=bearer
    )
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_credentials")
    events = await running.server.store.list_audit_events(limit=10)
    assert "login_failed" in [e.event for e in events]
    assert "reauthenticated" not in [e.event for e in events]


async def test_reauthenticate_with_totp_on_needs_the_code_and_says_mfa(running: Running) -> None:
    app, bearer = await _with_totp(running)
    running.clock.now += 700
    bare = await running.client.post(
        "/auth/reauthenticate", json={"password": PASSWORD}, headers=bearer
    )
    assert (bare.status_code, bare.json()["error"]) == (401, "invalid_code")
    proven = {"password": PASSWORD, "code": app.at(running.clock())}
    reply = await running.client.post("/auth/reauthenticate", json=proven, headers=bearer)
    assert reply.status_code == 200, reply.text
    assert reply.json()["amr"] == ["pwd", "otp", "mfa"]
    again = await running.client.post("/auth/reauthenticate", json=proven, headers=bearer)
    assert (again.status_code, again.json()["error"]) == (401, "invalid_code")  # a replay


async def test_reauthenticate_in_cookie_mode_sets_only_the_access_cookie(
    running: Running,
) -> None:
    client = running.client
    assert (
        await client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
    ).status_code == 201
    login = await client.post(
        "/auth/login", json={"email": EMAIL, "password": PASSWORD, "cookies": True}
    )
    csrf = login.json()["csrf_token"]
    running.clock.now += 700
    refused = await client.post("/auth/reauthenticate", json={"password": PASSWORD})
    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_failed")
    reply = await client.post(
        "/auth/reauthenticate", json={"password": PASSWORD}, headers={"X-CSRF-Token": csrf}
    )
    assert reply.status_code == 200, reply.text
    set_cookies = reply.headers.get_list("set-cookie")
    assert len(set_cookies) == 1
    assert set_cookies[0].startswith("__Host-gatepass_access=")
    setup = await client.post("/auth/mfa/totp/setup", headers={"X-CSRF-Token": csrf})
    assert setup.status_code == 200, setup.text
