"""The MFA routes over HTTP, in process, on a hand-moved clock (pyotp as the authenticator).

The flows' rules are tested in tests/flows (test_mfa.py, test_mfa_login.py);
here: bodies, statuses, no tokens or cookies before the code, cookie mode kept
through the second step, CSRF, and the errors' answers.
"""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from gatepass.jose import decode_unverified
from tests.server.conftest import PASSWORD, Running

EMAIL = "ada@example.com"
INVALID_CODE = {"error": "invalid_code", "message": "Invalid code"}


async def _login(r: Running, **extra: Any) -> Any:
    body = {"email": EMAIL, "password": PASSWORD, **extra}
    return await r.client.post("/auth/login", json=body)


async def _enrolled(r: Running) -> tuple[pyotp.TOTP, list[str], dict[str, str]]:
    """Register, set TOTP up and confirm it; the app, the codes and the bearer header."""
    tokens = await r.server.register_and_login(EMAIL)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    setup = await r.client.post("/auth/mfa/totp/setup", headers=bearer)
    assert setup.status_code == 200, setup.text
    assert setup.headers["cache-control"] == "no-store"
    body = setup.json()
    assert set(body) == {"secret", "otpauth_uri", "qr_svg"}
    # An image of its own too (the console's <img>): the SVG namespace, no XML declaration.
    assert body["qr_svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert pyotp.parse_uri(body["otpauth_uri"]).secret == body["secret"]
    app = pyotp.TOTP(body["secret"])
    confirm = await r.client.post(
        "/auth/mfa/totp/confirm", json={"code": app.at(r.clock())}, headers=bearer
    )
    assert confirm.status_code == 200, confirm.text
    codes = confirm.json()["recovery_codes"]
    assert len(codes) == 10
    r.clock.now += 30
    return app, codes, bearer


async def test_setup_needs_an_access_token(running: Running) -> None:
    reply = await running.client.post("/auth/mfa/totp/setup")
    assert reply.status_code == 401


async def test_a_login_with_totp_on_answers_an_mfa_token_and_no_tokens(running: Running) -> None:
    await _enrolled(running)
    reply = await _login(running, cookies=True)
    assert reply.status_code == 200
    body = reply.json()
    assert body["mfa_required"] is True
    assert body["methods"] == ["totp", "recovery_code"]
    assert set(body) == {"mfa_required", "mfa_token", "methods"}
    assert "set-cookie" not in reply.headers
    assert reply.headers["cache-control"] == "no-store"


async def test_verify_with_a_code_gives_the_usual_answer_once(running: Running) -> None:
    app, _, _ = await _enrolled(running)
    token = (await _login(running)).json()["mfa_token"]
    code = app.at(running.clock())
    done = await running.client.post("/auth/mfa/verify", json={"mfa_token": token, "code": code})
    assert done.status_code == 200, done.text
    tokens = done.json()
    assert {"access_token", "refresh_token", "session_id"} <= set(tokens)
    _, claims = decode_unverified(tokens["access_token"])
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    me = await running.client.get(
        "/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200
    spent = await running.client.post("/auth/mfa/verify", json={"mfa_token": token, "code": code})
    assert (spent.status_code, spent.json()["error"]) == (401, "invalid_token")
    replay_token = (await _login(running)).json()["mfa_token"]
    replay = await running.client.post(
        "/auth/mfa/verify", json={"mfa_token": replay_token, "code": code}
    )
    assert (replay.status_code, replay.json()) == (401, INVALID_CODE)


async def test_cookie_mode_travels_through_the_mfa_token(running: Running) -> None:
    app, _, _ = await _enrolled(running)
    token = (await _login(running, cookies=True)).json()["mfa_token"]
    done = await running.client.post(
        "/auth/mfa/verify", json={"mfa_token": token, "code": app.at(running.clock())}
    )
    assert done.status_code == 200
    assert "csrf_token" in done.json()
    assert "refresh_token" not in done.json()
    assert "set-cookie" in done.headers


async def test_a_recovery_code_logs_in_once(running: Running) -> None:
    _, codes, _ = await _enrolled(running)
    for expected in (200, 401):
        token = (await _login(running)).json()["mfa_token"]
        reply = await running.client.post(
            "/auth/mfa/verify", json={"mfa_token": token, "recovery_code": codes[0]}
        )
        assert reply.status_code == expected


@pytest.mark.parametrize("extra", [{}, {"code": "123456", "recovery_code": "ABCD-EFGH-IJKL-MNOP"}])
async def test_verify_takes_exactly_one_kind_of_code(
    running: Running, extra: dict[str, str]
) -> None:
    await _enrolled(running)
    token = (await _login(running)).json()["mfa_token"]
    reply = await running.client.post("/auth/mfa/verify", json={"mfa_token": token, **extra})
    assert (reply.status_code, reply.json()["error"]) == (422, "invalid_request")


async def test_five_wrong_codes_end_the_mfa_token(running: Running) -> None:
    app, _, _ = await _enrolled(running)
    token = (await _login(running)).json()["mfa_token"]
    window = {app.at(running.clock() + d) for d in (-30, 0, 30)}
    wrong = next(c for c in ("999999", "888888", "777777") if c not in window)
    statuses = []
    for _ in range(5):
        reply = await running.client.post(
            "/auth/mfa/verify", json={"mfa_token": token, "code": wrong}
        )
        statuses.append((reply.status_code, reply.json()["error"]))
    assert statuses == [(401, "invalid_code")] * 5
    dead = await running.client.post(
        "/auth/mfa/verify", json={"mfa_token": token, "code": app.at(running.clock())}
    )
    assert (dead.status_code, dead.json()["error"]) == (401, "invalid_token")


async def test_setup_twice_is_a_conflict_and_disable_takes_a_code(running: Running) -> None:
    app, _, bearer = await _enrolled(running)
    again = await running.client.post("/auth/mfa/totp/setup", headers=bearer)
    assert (again.status_code, again.json()["error"]) == (409, "mfa_already_enabled")
    wrong = await running.client.request(
        "DELETE", "/auth/mfa/totp", json={"code": "12"}, headers=bearer
    )
    assert (wrong.status_code, wrong.json()) == (401, INVALID_CODE)
    off = await running.client.request(
        "DELETE", "/auth/mfa/totp", json={"code": app.at(running.clock())}, headers=bearer
    )
    assert off.status_code == 204
    login = await _login(running)
    assert "access_token" in login.json()
    gone = await running.client.request(
        "DELETE", "/auth/mfa/totp", json={"code": "123456"}, headers=bearer
    )
    assert (gone.status_code, gone.json()["error"]) == (404, "not_found")


async def test_me_says_whether_totp_is_on(running: Running) -> None:
    """GET /me's user.mfa: off, still off after a set-up never confirmed, on once confirmed."""
    tokens = await running.server.register_and_login(EMAIL)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

    async def mfa() -> Any:
        return (await running.client.get("/auth/me", headers=bearer)).json()["user"]["mfa"]

    assert await mfa() == {"totp": False, "recovery_codes": 0, "passkeys": 0}
    setup = await running.client.post("/auth/mfa/totp/setup", headers=bearer)
    assert await mfa() == {"totp": False, "recovery_codes": 0, "passkeys": 0}
    app = pyotp.TOTP(setup.json()["secret"])
    code = {"code": app.at(running.clock())}
    confirm = await running.client.post("/auth/mfa/totp/confirm", json=code, headers=bearer)
    assert confirm.status_code == 200
    assert await mfa() == {"totp": True, "recovery_codes": 10, "passkeys": 0}


async def test_new_recovery_codes_for_a_current_code(running: Running) -> None:
    app, old, bearer = await _enrolled(running)
    reply = await running.client.post(
        "/auth/mfa/recovery-codes", json={"code": app.at(running.clock())}, headers=bearer
    )
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "no-store"
    fresh = reply.json()["recovery_codes"]
    assert len(fresh) == 10
    token = (await _login(running)).json()["mfa_token"]
    refused = await running.client.post(
        "/auth/mfa/verify", json={"mfa_token": token, "recovery_code": old[0]}
    )
    assert refused.status_code == 401


async def test_mfa_changes_in_cookie_mode_need_csrf(running: Running) -> None:
    await running.server.register_and_login(EMAIL)
    login = await _login(running, cookies=True)
    forged = await running.client.post("/auth/mfa/totp/setup")
    assert (forged.status_code, forged.json()["error"]) == (403, "csrf_failed")
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    assert (await running.client.post("/auth/mfa/totp/setup", headers=csrf)).status_code == 200
