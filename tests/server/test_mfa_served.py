"""TOTP against a real ``gatepass serve`` over HTTP, pyotp as the authenticator app.

Enrol, log in with a code, a replay of it refused, a recovery code once; and
the database holds neither the secret nor a recovery code in clear.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pyotp

from tests.serving import serve

PASSWORD = "correct horse battery"
CREDS = {"email": "ada@example.com", "password": PASSWORD}


def test_totp_enrol_login_replay_and_recovery_code(tmp_path: Path) -> None:
    database = tmp_path / "gatepass.db"
    env = {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    with serve(env, tmp_path) as served, httpx.Client(base_url=served.url, timeout=15) as client:
        assert client.post("/auth/register", json=CREDS).status_code == 201
        access = client.post("/auth/login", json=CREDS).json()["access_token"]
        bearer = {"Authorization": f"Bearer {access}"}
        setup = client.post("/auth/mfa/totp/setup", headers=bearer).json()
        app = pyotp.parse_uri(setup["otpauth_uri"])
        assert isinstance(app, pyotp.TOTP)
        assert app.secret == setup["secret"]
        confirmed = client.post(
            "/auth/mfa/totp/confirm", json={"code": app.at(time.time())}, headers=bearer
        )
        assert confirmed.status_code == 200, confirmed.text
        recovery = confirmed.json()["recovery_codes"]

        def second_step(**code: str) -> httpx.Response:
            first = client.post("/auth/login", json=CREDS)
            assert first.status_code == 200
            assert first.json()["mfa_required"] is True
            assert "access_token" not in first.json()
            body = {"mfa_token": first.json()["mfa_token"], **code}
            return client.post("/auth/mfa/verify", json=body)

        # The confirming code's step is spent: the next step's code (one step of
        # drift ahead) logs in, then is refused as a replay.
        code = app.at(time.time() + 30)
        done = second_step(code=code)
        assert done.status_code == 200, done.text
        me = client.get(
            "/auth/me", headers={"Authorization": f"Bearer {done.json()['access_token']}"}
        )
        assert me.status_code == 200
        replay = second_step(code=code)
        assert (replay.status_code, replay.json()["error"]) == (401, "invalid_code")
        assert second_step(recovery_code=recovery[0]).status_code == 200
        again = second_step(recovery_code=recovery[0])
        assert (again.status_code, again.json()["error"]) == (401, "invalid_code")
    with sqlite3.connect(database) as db:
        dump = "\n".join(db.iterdump())
        [(sealed,)] = db.execute("SELECT sealed_secret FROM totp_factors").fetchall()
    assert setup["secret"].encode() not in sealed
    assert len(sealed) > len(setup["secret"])
    assert setup["secret"] not in dump
    for one in recovery:
        assert one not in dump
        assert one.replace("-", "") not in dump
