"""End to end: `gatepass` processes beside a running `gatepass serve` on loopback."""

from __future__ import annotations

import logging
import time

import httpx
import orjson

from tests.cli.conftest import Server

PASSWORD = "correct horse battery"


def _login(server: Server) -> dict[str, str]:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        creds = {"email": "ada@example.com", "password": PASSWORD}
        assert client.post("/auth/register", json=creds).status_code == 201
        tokens: dict[str, str] = client.post("/auth/login", json=creds).json()
        return tokens


def _published(server: Server, kids: set[str]) -> None:
    """Wait (bounded) until the running server's JWKS lists exactly ``kids``."""
    deadline = time.monotonic() + 20
    while True:
        keys = httpx.get(f"{server.base}/.well-known/jwks.json", timeout=5).json()["keys"]
        if {k["kid"] for k in keys} == kids:
            return
        assert time.monotonic() < deadline, f"JWKS still lists {keys}"
        time.sleep(0.2)


def test_a_token_signed_before_a_rotation_still_verifies(server: Server) -> None:
    server.env_extra["GATEPASS_KEY_SYNC"] = "0.5"
    server.start()
    token = _login(server)["access_token"]
    rotated = server.gatepass("keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    keys = orjson.loads(server.gatepass("keys", "list", "--json").stdout)["keys"]
    assert sorted(k["status"] for k in keys) == ["active", "retiring"]
    old_kid = next(k["kid"] for k in keys if k["status"] == "retiring")
    new_kid = next(k["kid"] for k in keys if k["status"] == "active")
    _published(server, {old_kid, new_kid})
    jwks = f"{server.base}/.well-known/jwks.json"
    verified = server.gatepass(
        "token", "verify", "-", "--jwks", jwks, "--iss", server.base, "--aud", "gatepass",
        "--typ", "at+jwt", "--json", input=token,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    body = orjson.loads(verified.stdout)
    assert body["valid"] is True
    assert body["header"]["kid"] == old_kid
    assert body["claims"]["email"] == "ada@example.com"
    wrong_aud = server.gatepass("token", "verify", token, "--jwks", jwks, "--aud", "other")
    assert wrong_aud.returncode == 1
    assert wrong_aud.stdout.startswith("invalid: claim_invalid")
    fresh = _login_again(server)
    assert (
        orjson.loads(server.gatepass("token", "decode", fresh, "--json").stdout)["header"]["kid"]
        == new_kid
    )
    audit = server.gatepass("token", "audit", "-", input=token)
    assert audit.returncode == 0, audit.stdout
    assert "jwe_advice" in audit.stdout  # the email claim is readable by anyone


def test_revoking_a_session_from_the_cli_ends_its_access_token(server: Server) -> None:
    server.start()
    token = _login(server)["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.base}/auth/me", headers=headers, timeout=10).status_code == 200
    sessions = orjson.loads(server.gatepass("sessions", "list", "--json").stdout)["sessions"]
    assert len(sessions) == 1
    revoked = server.gatepass("sessions", "revoke", sessions[0]["id"])
    assert revoked.returncode == 0, revoked.stderr
    assert httpx.get(f"{server.base}/auth/me", headers=headers, timeout=10).status_code == 401
    again = _login_again(server)
    disabled = server.gatepass("users", "disable", "ada@example.com")
    assert disabled.returncode == 0, disabled.stderr
    gone = httpx.get(
        f"{server.base}/auth/me", headers={"Authorization": f"Bearer {again}"}, timeout=10
    )
    assert gone.status_code == 401


def _login_again(server: Server) -> str:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        creds = {"email": "ada@example.com", "password": PASSWORD}
        token: str = client.post("/auth/login", json=creds).json()["access_token"]
        return token


def test_serve_gives_gatepass_loggers_a_handler() -> None:
    """gatepass's own warnings (a Redis outage, a sync failure) reach the serve output."""
    from gatepass.cli.runners import log_config

    config = log_config("warning")
    assert config["loggers"]["gatepass"]["handlers"] == ["default"]
    assert config["loggers"]["gatepass"]["level"] == logging.WARNING
    assert log_config("debug")["loggers"]["gatepass"]["level"] == logging.DEBUG


def test_serve_names_its_own_address_as_issuer_by_default() -> None:
    from gatepass.cli.server import default_issuer

    assert default_issuer("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert default_issuer("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert default_issuer("::1", 9000) == "http://[::1]:9000"
