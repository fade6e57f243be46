"""The web console's server side: static files, config, and the replay demonstration."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import pytest

from gatepass.server.console import ACCOUNT_PAGES, CONTENT_SECURITY_POLICY
from gatepass.settings import Secret, Settings
from tests.server.conftest import PASSWORD, Server, start

SCRIPTS = (
    "app.js",
    "console-ui.js",
    "token-view.js",
    "sessions-view.js",
    "account-screens.js",
    "totp-screens.js",
    "passkey-screens.js",
    "mfa-step.js",
    "reauth-prompt.js",
    "federation-view.js",
    "account-pages.js",
    "gatepass-client.js",
    "gatepass-http.js",
    "gatepass-account.js",
    "gatepass-mfa.js",
    "gatepass-reauth.js",
    "gatepass-passkeys.js",
)
ASSETS = (*SCRIPTS, "style.css", "account.css", "favicon.svg")
# Each page and the one script it loads (the others are its imports).
PAGES = {"/": "app.js", **dict.fromkeys(ACCOUNT_PAGES, "account-pages.js")}


@pytest.fixture
async def strict() -> AsyncIterator[Server]:
    """No grace window: any second use of a refresh token is reuse."""
    async for running in start(Settings(refresh_grace=0)):
        yield running


async def _cookie_login(server: Server, email: str = "ada@example.com") -> str:
    """Register and log in with cookies; returns the CSRF token."""
    creds = {"email": email, "password": PASSWORD}
    assert (await server.client.post("/auth/register", json=creds)).status_code == 201
    login = await server.client.post("/auth/login", json={**creds, "cookies": True})
    assert login.status_code == 200, login.text
    csrf: str = login.json()["csrf_token"]
    return csrf


async def _refresh(server: Server, csrf: str) -> dict[str, Any]:
    reply = await server.client.post("/auth/refresh", headers={"X-CSRF-Token": csrf})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def _replay(server: Server, refresh_id: str, csrf: str | None) -> Any:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return await server.client.post(
        "/console/replay", json={"refresh_id": refresh_id}, headers=headers
    )


# --- static files and config ----------------------------------------------------


async def test_index_and_assets_are_served_under_a_strict_csp(server: Server) -> None:
    index = await server.client.get("/")
    assert index.status_code == 200
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert index.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    # Images from data: URLs (the TOTP QR code) and nothing wider.
    assert "img-src 'self' data:;" in CONTENT_SECURITY_POLICY
    assert index.headers["x-frame-options"] == "DENY"
    assert index.headers["x-content-type-options"] == "nosniff"
    types = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
    for name in ASSETS:
        reply = await server.client.get(f"/console/{name}")
        assert reply.status_code == 200, name
        assert reply.headers["content-type"].startswith(types[name.rsplit(".", 1)[1]])
        assert reply.content == resources.files("gatepass.web").joinpath(name).read_bytes()


async def test_the_pages_need_nothing_inline_and_nothing_from_elsewhere(server: Server) -> None:
    for path, script in PAGES.items():
        html = (await server.client.get(path)).text
        tags = re.findall(r"<script\b[^>]*>", html)
        assert tags == [f'<script type="module" src="/console/{script}">'], path
        assert "<style" not in html
        assert not re.search(r"\son\w+=", html), "inline event handlers break under the CSP"
        assert " style=" not in html
        linked = re.findall(r'(?:src|href)="([^"#]+)"', html)
        assert linked
        # The console's own files, and its own pages on this origin.
        own_pages = {"/", *ACCOUNT_PAGES}
        assert all(url.startswith("/console/") or url in own_pages for url in linked), linked
    for name in SCRIPTS:
        source = (await server.client.get(f"/console/{name}")).text
        assert "innerHTML" not in source
        assert "eval(" not in source
        assert not re.search(r"""["'`]https?://(?!gatepass\.invalid)""", source), name
    # Every module a script imports is served.
    for name in SCRIPTS:
        source = (await server.client.get(f"/console/{name}")).text
        for imported in re.findall(r'from "\./([\w.-]+)"', source):
            assert imported in SCRIPTS, (name, imported)


async def test_the_mail_links_open_the_account_page(server: Server) -> None:
    account = resources.files("gatepass.web").joinpath("account.html").read_bytes()
    assert sorted(ACCOUNT_PAGES) == [
        "/confirm-email",
        "/forgot-password",
        "/reset-password",
        "/verify-email",
    ]
    for path in ACCOUNT_PAGES:
        reply = await server.client.get(path, params={"token": "abc"})
        assert reply.status_code == 200, path
        assert reply.headers["content-type"] == "text/html; charset=utf-8"
        assert reply.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.content == account
        # account-pages.js shows the section named after the path.
        assert f'id="{path[1:]}-page"' in reply.text
    assert (await server.client.get("/console/account.html")).status_code == 404


async def test_unknown_files_are_not_found(server: Server) -> None:
    for path in ("/console/index.html", "/console/nope.js", "/console/..%2Fconsole.py"):
        reply = await server.client.get(path)
        assert reply.status_code == 404, path
        assert reply.json() == {"error": "not_found", "message": "Not found"}


async def test_config_tells_the_page_what_it_needs_and_nothing_secret() -> None:
    secret = secrets.token_urlsafe(32)
    settings = Settings(jwt_secret=Secret(secret), refresh_grace=3, access_ttl=120)
    async for server in start(settings):
        reply = await server.client.get("/console/config.json")
        assert reply.status_code == 200
        assert reply.json() == {
            "auth_prefix": "/auth",
            "issuer": "http://127.0.0.1:8000",
            "access_ttl": 120,
            "refresh_ttl": 7 * 86400,
            "refresh_grace": 3,
            "session_ttl": 30 * 86400,
            "registration_open": True,
            "cookies": {
                "access": "__Host-gatepass_access",
                "refresh": "__Secure-gatepass_refresh",
                "csrf": "__Host-gatepass_csrf",
            },
            "csrf_header": "X-CSRF-Token",
            "replay_path": "/console/replay",
            "providers": [],
        }
        assert secret not in reply.text


async def test_console_off_removes_every_console_route() -> None:
    async for server in start(Settings(console=False)):
        assert (await server.client.get("/")).status_code == 404
        assert (await server.client.get("/console/app.js")).status_code == 404
        assert (await server.client.get("/console/config.json")).status_code == 404
        for path in ACCOUNT_PAGES:
            assert (await server.client.get(path)).status_code == 404, path
        csrf = await _cookie_login(server)
        spent = (await _refresh(server, csrf))["previous_refresh_id"]
        assert (await _replay(server, spent, csrf)).status_code == 404
        assert (await server.client.get("/dashboard")).status_code == 200


# --- the replay demonstration -----------------------------------------------------


async def test_replaying_a_spent_token_revokes_the_session_like_a_thief_would(
    strict: Server,
) -> None:
    csrf = await _cookie_login(strict)
    rotated = await _refresh(strict, csrf)
    spent, current = rotated["previous_refresh_id"], rotated["refresh_id"]
    assert (await strict.client.get("/dashboard")).status_code == 200

    refused = await _replay(strict, spent, None)
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    assert (await strict.client.get("/dashboard")).status_code == 200

    reply = await _replay(strict, spent, csrf)
    assert reply.status_code == 200, reply.text
    session_id = rotated["session_id"]
    assert reply.json() == {
        "decision": "reuse_detected",
        "session_revoked": True,
        "refresh_id": spent,
        "session_id": session_id,
    }
    # The consequences are the real ones: the access token is refused at once,
    # the current refresh token is worthless, and the theft is audited.
    assert (await strict.client.get("/dashboard")).status_code == 401
    after = await strict.client.post("/auth/refresh", headers={"X-CSRF-Token": csrf})
    assert after.status_code == 401
    session = await strict.store.get_session(session_id)
    assert session is not None
    assert session.revoked_reason == "refresh_token_reused"
    assert await strict.store.get_refresh_token_by_id(current) is not None
    events = await strict.store.list_audit_events(user_id=session.user_id)
    reused = [e for e in events if e.event == "refresh_token_reused"]
    assert len(reused) == 1
    assert reused[0].session_id == session_id
    assert dict(reused[0].detail) == {"via": "console_replay", "refresh_id": spent}
    revocations = await strict.store.live_revocations(now=session.revoked_at or 0)
    assert any(r.kind == "session" and r.subject == session_id for r in revocations)


async def test_an_unspent_token_cannot_be_replayed(strict: Server) -> None:
    csrf = await _cookie_login(strict)
    current = (await _refresh(strict, csrf))["refresh_id"]
    reply = await _replay(strict, current, csrf)
    assert reply.status_code == 403
    assert reply.json() == {
        "error": "forbidden",
        "message": "Only a spent refresh token can be replayed",
    }
    assert (await strict.client.get("/dashboard")).status_code == 200
    assert (await _refresh(strict, csrf))["previous_refresh_id"] == current


async def test_only_tokens_of_the_callers_own_session(strict: Server) -> None:
    # Ada's spent token, then Bob (a bearer caller, no CSRF needed) tries it.
    csrf = await _cookie_login(strict)
    spent = (await _refresh(strict, csrf))["previous_refresh_id"]
    bob = await strict.register_and_login("bob@example.com")
    as_bob = {"Authorization": f"Bearer {bob['access_token']}"}
    foreign = await strict.client.post(
        "/console/replay", json={"refresh_id": spent}, headers=as_bob
    )
    assert foreign.status_code == 404
    assert foreign.json()["error"] == "not_found"
    unknown = await strict.client.post(
        "/console/replay", json={"refresh_id": "0" * 32}, headers=as_bob
    )
    assert unknown.status_code == 404
    assert (await strict.client.get("/dashboard")).status_code == 200  # Ada is untouched

    # A second session of the same user is another session: refused too.
    second = await strict.client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    as_ada_elsewhere = {"Authorization": f"Bearer {second.json()['access_token']}"}
    other = await strict.client.post(
        "/console/replay", json={"refresh_id": spent}, headers=as_ada_elsewhere
    )
    assert other.status_code == 404
    assert (await strict.client.get("/dashboard")).status_code == 200


async def test_inside_the_grace_window_the_session_survives(server: Server) -> None:
    csrf = await _cookie_login(server)  # the default fixture: 10 s grace
    spent = (await _refresh(server, csrf))["previous_refresh_id"]
    reply = await _replay(server, spent, csrf)
    assert reply.status_code == 200
    body = reply.json()
    assert (body["decision"], body["session_revoked"], body["refresh_id"]) == (
        "grace_replay",
        False,
        spent,
    )
    assert 1 <= body["retry_after"] <= 10
    assert (await server.client.get("/dashboard")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"refresh_id": "short"}, {"refresh_id": "G" * 32}, {"refresh_id": 1}, {"x": 1}],
)
async def test_replay_validates_its_body(strict: Server, body: dict[str, Any]) -> None:
    csrf = await _cookie_login(strict)
    reply = await strict.client.post("/console/replay", json=body, headers={"X-CSRF-Token": csrf})
    assert reply.status_code == 422
    assert reply.json()["error"] == "invalid_request"


async def test_replay_needs_a_caller(strict: Server) -> None:
    reply = await strict.client.post("/console/replay", json={"refresh_id": "0" * 32})
    assert reply.status_code == 401
    assert reply.json()["error"] == "missing_token"
