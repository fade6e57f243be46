"""Cookie transport: exact attributes, CSRF on state changes, rotation via cookie."""

from __future__ import annotations

from typing import Any

from gatepass.settings import Settings
from tests.server.conftest import PASSWORD, Server, start


def _set_cookies(reply: Any) -> dict[str, str]:
    """Set-Cookie lines by cookie name."""
    lines = reply.headers.get_list("set-cookie")
    return {line.split("=", 1)[0]: line for line in lines}


def _attrs(line: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in line.split(";")[1:]} | {
        part.strip().lower() for part in line.split(";")[1:] if "=" in part
    }


async def _cookie_login(server: Server) -> Any:
    await server.client.post(
        "/auth/register", json={"email": "ada@example.com", "password": PASSWORD}
    )
    return await server.client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD, "cookies": True}
    )


async def test_cookie_attributes_are_exact(server: Server) -> None:
    reply = await _cookie_login(server)
    assert reply.status_code == 200
    body = reply.json()
    assert "refresh_token" not in body
    assert body["csrf_token"]
    cookies = _set_cookies(reply)
    access = _attrs(cookies["__Host-gatepass_access"])
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= access
    assert "domain" not in access
    refresh = _attrs(cookies["__Secure-gatepass_refresh"])
    assert {"httponly", "secure", "samesite=strict", "path=/auth"} <= refresh
    csrf = _attrs(cookies["__Host-gatepass_csrf"])
    assert {"secure", "samesite=strict", "path=/"} <= csrf
    assert "httponly" not in csrf
    assert "domain" not in csrf
    assert set(cookies) == {
        "__Host-gatepass_access",
        "__Secure-gatepass_refresh",
        "__Host-gatepass_csrf",
    }


async def test_plain_http_development_uses_unprefixed_names() -> None:
    # Browsers refuse __Host-/__Secure- cookies that are not Secure.
    async for server in start(Settings(cookie_secure=False)):
        reply = await _cookie_login(server)
        assert reply.status_code == 200
        cookies = _set_cookies(reply)
        assert set(cookies) == {"gatepass_access", "gatepass_refresh", "gatepass_csrf"}
        assert all("secure" not in _attrs(line) for line in cookies.values())
        csrf = reply.json()["csrf_token"]
        rotated = await server.client.post("/auth/refresh", headers={"X-CSRF-Token": csrf})
        assert rotated.status_code == 200, rotated.text


async def test_the_old_refresh_cookie_name_is_not_read(server: Server) -> None:
    login = await _cookie_login(server)
    refresh = server.client.cookies.get("__Secure-gatepass_refresh")
    assert refresh
    server.client.cookies.clear()
    server.client.cookies.set("gatepass_refresh", refresh, path="/auth")
    reply = await server.client.post(
        "/auth/refresh", headers={"X-CSRF-Token": login.json()["csrf_token"]}
    )
    assert reply.status_code == 401


async def test_cookie_auth_reads_but_state_changes_need_csrf(server: Server) -> None:
    login = await _cookie_login(server)
    csrf = login.json()["csrf_token"]
    dashboard = await server.client.get("/dashboard")
    assert dashboard.status_code == 200
    refused = await server.client.post("/auth/logout")
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    forged = ("B" if csrf[0] == "A" else "A") + csrf[1:]
    wrong = await server.client.post("/auth/logout", headers={"X-CSRF-Token": forged})
    assert wrong.status_code == 403
    ok = await server.client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 204
    cleared = _set_cookies(ok)
    assert "max-age=0" in cleared["__Host-gatepass_access"].lower()


async def test_refresh_by_cookie_requires_csrf_and_rotates_cookies(server: Server) -> None:
    login = await _cookie_login(server)
    csrf = login.json()["csrf_token"]
    before = server.client.cookies.get("__Secure-gatepass_refresh")
    refused = await server.client.post("/auth/refresh")
    assert refused.status_code == 403
    rotated = await server.client.post("/auth/refresh", headers={"X-CSRF-Token": csrf})
    assert rotated.status_code == 200
    assert "refresh_token" not in rotated.json()
    assert rotated.json()["previous_refresh_id"] != rotated.json()["refresh_id"]
    assert server.client.cookies.get("__Secure-gatepass_refresh") != before


async def test_without_the_console_no_cookie_mode_answer_carries_a_token() -> None:
    # The body's copy of the access token exists for the console's display; with
    # the console off, script on the page can read no token from any answer.
    async for server in start(Settings(console=False)):
        login = await _cookie_login(server)
        assert login.status_code == 200
        assert {"access_token", "refresh_token"}.isdisjoint(login.json())
        csrf = login.json()["csrf_token"]
        assert (await server.client.get("/dashboard")).status_code == 200
        rotated = await server.client.post("/auth/refresh", headers={"X-CSRF-Token": csrf})
        assert rotated.status_code == 200
        assert {"access_token", "refresh_token"}.isdisjoint(rotated.json())
        assert rotated.json()["expires_in"] == server.settings.access_ttl
        assert (await server.client.get("/dashboard")).status_code == 200
        bearer = await server.client.post(
            "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
        assert {"access_token", "refresh_token"} <= set(bearer.json())
