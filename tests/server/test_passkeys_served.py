"""Passkeys against a real ``gatepass serve`` over HTTP, the software authenticator
(tests/authenticator.py) as the device.

Register, log in with the passkey alone, a replayed assertion and a clone's
lower counter refused, the passkey as the second step after the password;
and the database holds the challenges only as hashes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from tests.authenticator import SoftAuthenticator, unb64u
from tests.serving import free_port, serve

CREDS = {"email": "ada@example.com", "password": "correct horse battery"}


def test_passkey_register_login_refusals_and_second_step(tmp_path: Path) -> None:
    database = tmp_path / "gatepass.db"
    port = free_port()
    origin = f"http://localhost:{port}"
    env = {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{database}", "GATEPASS_ISSUER": origin}
    device = SoftAuthenticator(origin=origin)
    with (
        serve(env, tmp_path, port=port) as served,
        httpx.Client(base_url=served.url, timeout=15) as client,
    ):
        assert client.post("/auth/register", json=CREDS).status_code == 201
        access = client.post("/auth/login", json=CREDS).json()["access_token"]
        bearer = {"Authorization": f"Bearer {access}"}
        options = client.post("/auth/passkeys/register/options", headers=bearer).json()
        assert options["rp"]["id"] == "localhost"
        made = client.post(
            "/auth/passkeys/register",
            json={"credential": device.create(options), "name": "Soft"},
            headers=bearer,
        )
        assert made.status_code == 201, made.text

        def login_options() -> dict[str, Any]:
            reply = client.post("/auth/passkeys/login/options")
            assert reply.status_code == 200
            body: dict[str, Any] = reply.json()
            return body

        asked = login_options()
        with sqlite3.connect(database) as conn:
            kept = [row[0] for row in conn.execute("SELECT challenge_hash FROM passkey_challenges")]
        assert hashlib.sha256(unb64u(asked["challenge"])).hexdigest() in kept
        assert asked["challenge"] not in kept

        answer = device.get(asked)
        done = client.post("/auth/passkeys/login", json={"credential": answer})
        assert done.status_code == 200, done.text
        me = client.get(
            "/auth/me", headers={"Authorization": f"Bearer {done.json()['access_token']}"}
        )
        assert me.json()["user"]["email"] == CREDS["email"]
        replayed = client.post("/auth/passkeys/login", json={"credential": answer})
        assert (replayed.status_code, replayed.json()["error"]) == (401, "invalid_credential")
        clone = device.get(login_options(), sign_count=1)
        refused = client.post("/auth/passkeys/login", json={"credential": clone})
        assert (refused.status_code, refused.json()["error"]) == (401, "invalid_credential")

        first = client.post("/auth/login", json=CREDS).json()
        assert first["methods"] == ["passkey"]
        mfa = client.post("/auth/mfa/passkey/options", json={"mfa_token": first["mfa_token"]})
        second = client.post(
            "/auth/mfa/verify",
            json={"mfa_token": first["mfa_token"], "credential": device.get(mfa.json())},
        )
        assert second.status_code == 200, second.text
    with sqlite3.connect(database) as conn:
        events = [row[0] for row in conn.execute("SELECT event FROM audit_events")]
    assert events.count("passkey_clone_suspected") == 1
    assert events.count("passkey_login") == 1
