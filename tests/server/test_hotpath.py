"""``GET /dashboard`` through ``server.hotpath.HotPath``: the route's answers and refusals."""

from __future__ import annotations

from gatepass.server.hotpath import HotPath
from gatepass.settings import Settings
from tests.server.conftest import Server, start

WELCOME = {"message": "Welcome ada@example.com"}


def _hot_path_in(server: Server) -> bool:
    layer = server.app.middleware_stack
    while layer is not None and not isinstance(layer, HotPath):
        layer = getattr(layer, "app", None)
    return layer is not None


async def test_a_valid_bearer_token_is_welcomed_with_every_header(server: Server) -> None:
    token = (await server.register_and_login())["access_token"]
    reply = await server.client.get("/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert _hot_path_in(server)
    assert reply.status_code == 200
    assert reply.json() == WELCOME
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["vary"] == "Authorization, Cookie"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in reply.headers["content-security-policy"]


async def test_refusals_are_the_error_bodies_of_every_other_route(server: Server) -> None:
    missing = await server.client.get("/dashboard")
    assert missing.status_code == 401
    assert missing.json() == {"error": "missing_token", "message": "No token provided"}
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.headers["vary"] == "Authorization, Cookie"
    forged = await server.client.get("/dashboard", headers={"Authorization": "Bearer a.b.c"})
    assert forged.status_code == 401
    assert forged.json() == {"error": "invalid_token", "message": "Invalid or expired token"}
    assert forged.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    two = [("authorization", "Bearer x"), ("authorization", "Bearer y")]
    assert (await server.client.get("/dashboard", headers=two)).status_code == 401


async def test_the_access_cookie_is_read_as_by_the_route() -> None:
    async for server in start(Settings(cookie_secure=False)):  # plain-http test client
        creds = {"email": "ada@example.com", "password": "correct horse battery"}
        assert (await server.client.post("/auth/register", json=creds)).status_code == 201
        login = await server.client.post("/auth/login", json={**creds, "cookies": True})
        assert login.status_code == 200, login.text
        reply = await server.client.get("/dashboard")  # a GET: CSRF guards unsafe methods
        assert reply.status_code == 200
        assert reply.json() == WELCOME
        server.client.cookies.set("gatepass_access", "a.b.c")
        assert (await server.client.get("/dashboard")).status_code == 401


async def test_other_methods_are_still_405_and_other_paths_untouched(server: Server) -> None:
    token = (await server.register_and_login())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for method in ("POST", "HEAD", "DELETE"):
        reply = await server.client.request(method, "/dashboard", headers=headers)
        assert reply.status_code == 405, method
        assert reply.headers["allow"] == "GET"
    assert (await server.client.get("/dashboard/", headers=headers)).status_code == 404


async def test_a_revoked_session_is_refused_at_once() -> None:
    async for server in start(Settings()):
        token = (await server.register_and_login())["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await server.client.get("/dashboard", headers=headers)).status_code == 200
        assert (await server.client.post("/auth/logout", headers=headers)).status_code == 204
        assert (await server.client.get("/dashboard", headers=headers)).status_code == 401
