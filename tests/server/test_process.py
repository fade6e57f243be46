"""The real thing: `gatepass serve` as a process on loopback, on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serving import serve

PASSWORD = "correct horse battery"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    env = {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gatepass.db'}"}
    with serve(env, tmp_path) as server:
        yield server.url


def test_served_flow(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as client:
        creds = {"email": "ada@example.com", "password": PASSWORD}
        assert client.post("/auth/register", json=creds).status_code == 201
        tokens = client.post("/auth/login", json=creds).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert client.get("/dashboard", headers=headers).json() == {
            "message": "Welcome ada@example.com"
        }
        missing = client.get("/dashboard")
        assert missing.status_code == 401
        assert missing.json() == {"error": "missing_token", "message": "No token provided"}
        rotated = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert rotated.status_code == 200
        assert client.post("/auth/logout", headers=headers).status_code == 204
        after = client.get("/dashboard", headers=headers)
        assert after.status_code == 401
        assert after.json() == {"error": "invalid_token", "message": "Invalid or expired token"}
        keys = client.get("/.well-known/jwks.json").json()["keys"]
        assert len(keys) == 1
        assert "d" not in keys[0]
