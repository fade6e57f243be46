"""The guide's flow over HTTP: register, login, call, refresh, reuse, logout."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from gatepass.jose import decode_unverified
from tests.server.conftest import PASSWORD, Server


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_register_login_dashboard(server: Server) -> None:
    tokens = await server.register_and_login()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert tokens["refresh_expires_in"] == 7 * 86400
    header, claims = decode_unverified(tokens["access_token"])
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "ES256"  # GATEPASS_SIGNING_ALG's default
    assert set(claims) == {
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "jti",
        "sid",
        "email",
        "email_verified",
        "role",
        "amr",
        "auth_time",
    }
    assert claims["amr"] == ["pwd"]
    reply = await server.client.get("/dashboard", headers=bearer(tokens["access_token"]))
    assert reply.status_code == 200
    assert reply.json() == {"message": "Welcome ada@example.com"}
    assert reply.headers["x-content-type-options"] == "nosniff"


async def test_login_response_is_not_cached(server: Server) -> None:
    await server.register_and_login()
    reply = await server.client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert reply.headers["cache-control"] == "no-store"


async def test_missing_and_invalid_token_bodies(server: Server) -> None:
    reply = await server.client.get("/dashboard")
    assert reply.status_code == 401
    assert reply.json() == {"error": "missing_token", "message": "No token provided"}
    assert reply.headers["www-authenticate"] == "Bearer"
    for value in ("Bearer nonsense", "Basic abc", "Bearer", "Bearer a b"):
        reply = await server.client.get("/dashboard", headers={"Authorization": value})
        assert reply.status_code == 401
        assert reply.json() == {"error": "invalid_token", "message": "Invalid or expired token"}
        assert reply.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_tampered_payload_rejected(server: Server) -> None:
    tokens = await server.register_and_login()
    h64, p64, s64 = tokens["access_token"].split(".")
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(p64 + "=="))
    claims["role"] = "superadmin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    reply = await server.client.get("/dashboard", headers=bearer(f"{h64}.{forged}.{s64}"))
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_token"


async def test_alg_none_rejected(server: Server) -> None:
    tokens = await server.register_and_login()
    _, p64, _ = tokens["access_token"].split(".")
    none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').rstrip(b"=").decode()
    reply = await server.client.get("/dashboard", headers=bearer(f"{none}.{p64}."))
    assert reply.status_code == 401


async def test_hs256_signed_with_the_public_key_rejected(server: Server) -> None:
    import hmac

    tokens = await server.register_and_login()
    jwks = (await server.client.get("/.well-known/jwks.json")).json()
    (jwk,) = jwks["keys"]
    assert "d" not in jwk
    _, p64, _ = tokens["access_token"].split(".")
    h64 = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"at+jwt"}').rstrip(b"=").decode()
    secret = json.dumps(jwk).encode()
    mac = hmac.digest(secret, f"{h64}.{p64}".encode(), "sha256")
    sig = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    reply = await server.client.get("/dashboard", headers=bearer(f"{h64}.{p64}.{sig}"))
    assert reply.status_code == 401


async def test_oversized_token_rejected_without_echo(server: Server) -> None:
    token = "eyJ" + "A" * 9000 + ".x.y"
    reply = await server.client.get("/dashboard", headers=bearer(token))
    assert reply.status_code == 401
    assert "AAAA" not in reply.text


async def test_wrong_credentials_same_answer(server: Server) -> None:
    await server.register_and_login()
    for body in (
        {"email": "ada@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": PASSWORD},
    ):
        reply = await server.client.post("/auth/login", json=body)
        assert reply.status_code == 401
        assert reply.json() == {"error": "invalid_credentials", "message": "Invalid credentials"}


async def test_rotation_grace_replay_and_reuse(server: Server) -> None:
    tokens = await server.register_and_login()
    first = await server.client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert rotated["refresh_id"] != rotated["previous_refresh_id"]
    # Inside the grace window: the same successor comes back.
    again = await server.client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert again.status_code == 200
    assert again.json()["refresh_token"] == rotated["refresh_token"]


async def test_reuse_after_grace_revokes_the_session() -> None:
    from gatepass.settings import Settings
    from tests.server.conftest import start

    async for server in start(Settings(refresh_grace=0)):
        tokens = await server.register_and_login()
        ok = await server.client.post(
            "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert ok.status_code == 200
        reuse = await server.client.post(
            "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert reuse.status_code == 401
        assert reuse.json()["error"] == "refresh_token_reused"
        for access in (tokens["access_token"], ok.json()["access_token"]):
            reply = await server.client.get("/dashboard", headers=bearer(access))
            assert reply.status_code == 401
        successor = ok.json()["refresh_token"]
        dead = await server.client.post("/auth/refresh", json={"refresh_token": successor})
        assert dead.status_code == 401
        events = [e.event for e in await server.store.list_audit_events()]
        assert "refresh_token_reused" in events


async def test_ten_concurrent_refreshes_one_successor(server: Server) -> None:
    tokens = await server.register_and_login()
    replies = await asyncio.gather(
        *(
            server.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            for _ in range(10)
        )
    )
    assert {r.status_code for r in replies} == {200}
    assert len({r.json()["refresh_token"] for r in replies}) == 1
    me = await server.client.get("/auth/me", headers=bearer(replies[0].json()["access_token"]))
    assert me.status_code == 200


async def test_logout_rejects_the_access_token_at_once(server: Server) -> None:
    tokens = await server.register_and_login()
    headers = bearer(tokens["access_token"])
    assert (await server.client.get("/dashboard", headers=headers)).status_code == 200
    assert (await server.client.post("/auth/logout", headers=headers)).status_code == 204
    assert (await server.client.get("/dashboard", headers=headers)).status_code == 401
    refresh = await server.client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_sessions_list_and_revoke(server: Server) -> None:
    first = await server.register_and_login()
    second = await server.client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    listed = await server.client.get("/auth/sessions", headers=bearer(first["access_token"]))
    sessions = listed.json()["sessions"]
    assert len(sessions) == 2
    assert sum(s["current"] for s in sessions) == 1
    other = second.json()["session_id"]
    gone = await server.client.delete(
        f"/auth/sessions/{other}", headers=bearer(first["access_token"])
    )
    assert gone.status_code == 204
    dead = await server.client.get("/dashboard", headers=bearer(second.json()["access_token"]))
    assert dead.status_code == 401
    missing = await server.client.delete(
        "/auth/sessions/nope", headers=bearer(first["access_token"])
    )
    assert missing.status_code == 404
