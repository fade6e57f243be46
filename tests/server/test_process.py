"""The real thing: `gatepass serve` as a process on loopback, on a fresh SQLite file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gatepass.db'}",
        "GATEPASS_PORT": str(port),
    }
    gatepass = Path(sys.executable).with_name("gatepass")
    process = subprocess.Popen(
        [str(gatepass), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"gatepass serve did not come up:\n{output}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout:
            process.stdout.close()


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
