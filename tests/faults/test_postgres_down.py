"""PostgreSQL crashes under a running ``gatepass serve``, then comes back.

While it is down, whatever needs the database answers 503 with gatepass's JSON
body (and ``/health`` says so); nothing else breaks (an access token is still
verified without the database). Once it is back, service
returns within seconds and no session was lost: the refresh token and the
access token issued before the outage still work.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.faults.conftest import ThrowawayPostgres
from tests.serving import serve, wait_until

PASSWORD = "correct horse battery"
UNAVAILABLE = {
    "error": "service_unavailable",
    "message": "The database is unavailable, try again shortly",
}
RECOVERY_S = 10.0


def _unavailable(reply: httpx.Response) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.json() == UNAVAILABLE
    assert reply.headers["cache-control"] == "no-store"


def test_postgres_crash_and_recovery(throwaway_postgres: ThrowawayPostgres, tmp_path: Path) -> None:
    env = {"GATEPASS_DATABASE_URL": throwaway_postgres.url}
    with serve(env, tmp_path) as served, httpx.Client(base_url=served.url, timeout=15) as client:
        creds = {"email": "ada@example.com", "password": PASSWORD}
        assert client.post("/auth/register", json=creds).status_code == 201
        tokens: dict[str, Any] = client.post("/auth/login", json=creds).json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert client.get("/dashboard", headers=bearer).status_code == 200

        throwaway_postgres.stop("immediate")
        began = time.monotonic()
        _unavailable(client.post("/auth/login", json=creds))
        _unavailable(client.get("/auth/me", headers=bearer))
        _unavailable(client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))
        _unavailable(client.get("/health"))
        assert time.monotonic() - began < 10, "503s must come quickly, not after long waits"
        # What needs no database keeps working: verifying an access token reads none.
        assert client.get("/.well-known/jwks.json").status_code == 200
        assert client.get("/dashboard", headers=bearer).status_code == 200
        assert "request failed: service_unavailable" in served.log()

        throwaway_postgres.start()
        back = time.monotonic()
        wait_until(lambda: served.health() == 200, "/health back to 200", timeout=RECOVERY_S)
        recovered_in = time.monotonic() - back
        assert recovered_in < RECOVERY_S

        # No session lost: the old access token works, the old refresh token rotates.
        assert client.get("/auth/me", headers=bearer).status_code == 200
        rotated = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert rotated.status_code == 200, rotated.text
        fresh = {"Authorization": f"Bearer {rotated.json()['access_token']}"}
        assert client.get("/auth/me", headers=fresh).status_code == 200
        assert client.post("/auth/login", json=creds).status_code == 200
        assert served.process.poll() is None
