"""A hostile or broken provider, and hostile browsers: each attempt ends on the console's
error page with its code, no session and no cookie of a session."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gatepass.jose import Key
from gatepass.server import create_app
from gatepass.settings import Settings
from gatepass.store import MemoryStore
from gatepass.store.factors import TotpFactor
from tests.clock import Clock
from tests.federation.hostile import CLIENT_ID, CLIENT_SECRET, ISSUER, Hostile, providers_json

ACCESS = "__Host-gatepass_access"


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


@dataclass
class Site:
    hostile: Hostile
    store: MemoryStore
    app: Any
    clock: Clock

    def browser(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="https://testserver"
        )


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    hostile = Hostile()
    store = MemoryStore()
    settings = Settings(
        issuer="https://testserver",
        jwt_secret=None,
        oidc_providers=Settings.from_env(
            {"GATEPASS_OIDC_PROVIDERS": providers_json()}
        ).oidc_providers,
    )
    provider_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=hostile.app()))
    clock = Clock(time.time())  # the provider's id_tokens are on the real clock
    app = create_app(settings, store=store, clock=clock, provider_http=provider_http)
    async with app.router.lifespan_context(app):
        yield Site(hostile, store, app, clock)
    await provider_http.aclose()


async def begin(browser: httpx.AsyncClient, return_to: str | None = None) -> dict[str, str]:
    params = {} if return_to is None else {"return_to": return_to}
    reply = await browser.get("/auth/oidc/evil/login", params=params)
    assert reply.status_code == 302, reply.text
    location = reply.headers["location"]
    assert location.startswith(f"{ISSUER}/auth?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def back(browser: httpx.AsyncClient, **params: str) -> httpx.Response:
    return await browser.get("/auth/oidc/evil/callback", params=params)


async def refused(site: Site, reply: httpx.Response, code: str) -> None:
    assert reply.status_code == 302, reply.text
    assert reply.headers["location"] == f"/oidc-error?error={code}"
    assert ACCESS not in reply.cookies
    assert "set-cookie" not in reply.headers or ACCESS not in reply.headers["set-cookie"]
    assert await site.store.list_sessions(now=0) == []


async def test_the_well_behaved_answer_signs_in(site: Site) -> None:
    """The control: the same provider with a right id_token gives a session."""
    async with site.browser() as browser:
        sent = await begin(browser, "/welcome")
        assert sent["response_type"] == "code"
        assert sent["code_challenge_method"] == "S256"
        assert sent["client_id"] == CLIENT_ID
        assert len(sent["state"]) >= 43
        assert len(sent["nonce"]) >= 43
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(sent["nonce"]))
        reply = await back(browser, code="the-code", state=sent["state"])
        assert reply.status_code == 302, reply.text
        assert reply.headers["location"] == "/welcome"
        assert ACCESS in reply.cookies
        # client_secret_post, as the metadata asked, with the PKCE verifier
        form = site.hostile.token_requests[-1]
        assert form["client_secret"] == CLIENT_SECRET
        assert form["code"] == "the-code"
        assert len(form["code_verifier"]) >= 43
    assert len(await site.store.list_sessions(now=0)) == 1


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda h, n: h.unsigned(h.claims(n)), id="alg-none"),
        pytest.param(
            lambda h, n: h.sign(h.claims(n), Key.from_secret(CLIENT_SECRET), "HS256"),
            id="hs256-with-the-client-secret",
        ),
        pytest.param(lambda h, n: h.sign(h.claims(n, aud="someone-else")), id="wrong-aud"),
        pytest.param(lambda h, n: h.sign(h.claims(n, iss="https://evil.example")), id="wrong-iss"),
        pytest.param(lambda h, n: h.sign(h.claims("another-nonce-" + n)), id="wrong-nonce"),
        pytest.param(lambda h, n: h.sign(h.claims(n, nonce=None)), id="no-nonce"),
        pytest.param(lambda h, n: h.sign(h.claims(n, exp=h.claims(n)["iat"] - 120)), id="expired"),
        pytest.param(
            lambda h, n: h.sign(h.claims(n, iat=h.claims(n)["iat"] + 3600)), id="iat-in-future"
        ),
        pytest.param(
            lambda h, n: h.sign(h.claims(n, iat=h.claims(n)["iat"] - 3600)), id="issued-an-hour-ago"
        ),
        pytest.param(
            lambda h, n: h.sign(h.claims(n, aud=[CLIENT_ID, "other"])), id="two-aud-no-azp"
        ),
        pytest.param(lambda h, n: h.sign(h.claims(n, sub="")), id="empty-sub"),
        pytest.param(lambda h, n: h.sign(h.claims(n, azp="other")), id="wrong-azp"),
        pytest.param(
            lambda h, n: h.sign(h.claims(n), Key.generate("RS256", kid="good")),
            id="signed-by-another-key",
        ),
        pytest.param(
            lambda h, n: h.sign(h.claims(n), Key.generate("RS256", kid="unknown")),
            id="unknown-kid",
        ),
        pytest.param(lambda h, n: "not.a.jwt", id="garbage"),
        pytest.param(
            lambda h, n: h.sign(h.claims(n, at_hash=at_hash("another access token"))),
            id="at-hash-of-another-access-token",
        ),
        pytest.param(lambda h, n: h.sign(h.claims(n, at_hash=7)), id="at-hash-not-a-string"),
    ],
)
async def test_a_refused_id_token_gives_no_session(site: Site, forge: Any) -> None:
    async with site.browser() as browser:
        sent = await begin(browser)
        site.hostile.id_token = forge(site.hostile, sent["nonce"])
        await refused(site, await back(browser, code="c", state=sent["state"]), "federation_token")


async def test_an_at_hash_of_the_access_token_is_accepted(site: Site) -> None:
    """Core §3.2.2.9: the left half of SHA-256 of the access token the endpoint sent ("at")."""
    async with site.browser() as browser:
        sent = await begin(browser)
        claims = site.hostile.claims(sent["nonce"], at_hash=at_hash("at"))
        site.hostile.id_token = site.hostile.sign(claims)
        reply = await back(browser, code="c", state=sent["state"])
        assert reply.headers["location"] == "/"
        assert ACCESS in reply.cookies


async def test_a_replayed_nonce_is_refused(site: Site) -> None:
    """The id_token of a finished sign-in, served again for the next one."""
    async with site.browser() as browser:
        first = await begin(browser)
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(first["nonce"]))
        assert (await back(browser, code="c", state=first["state"])).status_code == 302
    await site.store.revoke_user_sessions((await site.store.list_users())[0].id, now=0, reason="t")
    sessions_before = len(await site.store.list_sessions(now=0, active_only=False))
    async with site.browser() as browser:
        second = await begin(browser)
        reply = await back(browser, code="c", state=second["state"])
        assert reply.headers["location"] == "/oidc-error?error=federation_token"
        assert ACCESS not in reply.cookies
    assert len(await site.store.list_sessions(now=0, active_only=False)) == sessions_before


async def test_the_state_of_another_browser_is_refused(site: Site) -> None:
    async with site.browser() as victim, site.browser() as attacker:
        theirs = await begin(attacker)
        await begin(victim)
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(theirs["nonce"]))
        await refused(site, await back(victim, code="c", state=theirs["state"]), "federation_state")


async def test_a_callback_without_the_handshake_cookie_is_refused(site: Site) -> None:
    async with site.browser() as browser:
        sent = await begin(browser)
        browser.cookies.clear()
        await refused(site, await back(browser, code="c", state=sent["state"]), "federation_state")


async def test_an_altered_handshake_cookie_is_refused(site: Site) -> None:
    async with site.browser() as browser:
        sent = await begin(browser)
        name = "__Secure-gatepass_oidc"
        value = browser.cookies[name]
        browser.cookies.clear()
        browser.cookies.set(name, value[:-4] + "AAAA", domain="testserver")
        await refused(site, await back(browser, code="c", state=sent["state"]), "federation_state")


async def test_the_providers_error_is_denied_and_never_echoed(site: Site) -> None:
    async with site.browser() as browser:
        sent = await begin(browser)
        reply = await back(
            browser,
            error="access_denied",
            error_description="<script>alert(1)</script>",
            state=sent["state"],
        )
        await refused(site, reply, "federation_denied")
        assert "script" not in reply.text
        assert "script" not in reply.headers["location"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/auth/oidc",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
        "https://user@testserver/",
    ],
)
async def test_return_to_another_origin_is_refused(site: Site, target: str) -> None:
    async with site.browser() as browser:
        reply = await browser.get("/auth/oidc/evil/login", params={"return_to": target})
        assert reply.status_code == 302
        assert reply.headers["location"] == "/oidc-error?error=return_to_refused"
        assert "gatepass_oidc" not in reply.headers.get("set-cookie", "")


async def test_return_to_the_apps_own_origin_is_kept(site: Site) -> None:
    async with site.browser() as browser:
        sent = await begin(browser, "https://testserver/account?tab=1")
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(sent["nonce"]))
        reply = await back(browser, code="c", state=sent["state"])
        assert reply.headers["location"] == "https://testserver/account?tab=1"


async def test_a_provider_that_is_down_gives_the_unavailable_page(site: Site) -> None:
    async with site.browser() as browser:
        sent = await begin(browser)  # discovery worked
        site.hostile.down = True
        await refused(
            site, await back(browser, code="c", state=sent["state"]), "provider_unavailable"
        )


async def test_a_provider_down_from_the_start_is_refused_at_login(site: Site) -> None:
    site.hostile.down = True
    async with site.browser() as browser:
        reply = await browser.get("/auth/oidc/evil/login")
        assert reply.headers["location"] == "/oidc-error?error=provider_unavailable"


async def test_metadata_naming_another_issuer_is_not_used(site: Site) -> None:
    site.hostile.metadata_issuer = "https://evil.example"
    async with site.browser() as browser:
        reply = await browser.get("/auth/oidc/evil/login")
        assert reply.headers["location"] == "/oidc-error?error=provider_unavailable"


async def test_the_token_endpoint_refusing_the_code(site: Site) -> None:
    async with site.browser() as browser:
        sent = await begin(browser)
        site.hostile.token_status = 400
        await refused(site, await back(browser, code="c", state=sent["state"]), "federation_token")


async def test_an_unknown_provider_is_not_found(site: Site) -> None:
    async with site.browser() as browser:
        reply = await browser.get("/auth/oidc/nobody/login")
        assert reply.headers["location"] == "/oidc-error?error=not_found"
        reply = await browser.get("/auth/oidc/nobody/callback", params={"state": "x"})
        assert reply.headers["location"] == "/oidc-error?error=not_found"


async def test_a_callback_naming_another_issuer_is_a_mix_up(site: Site) -> None:
    """RFC 9207: another provider's code, sent to this provider's callback."""
    async with site.browser() as browser:
        sent = await begin(browser)
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(sent["nonce"]))
        reply = await back(browser, code="c", state=sent["state"], iss="https://other.example")
        await refused(site, reply, "federation_state")
        assert site.hostile.token_requests == []  # the code was never sent anywhere


async def test_callbacks_count_against_the_per_ip_login_limit(site: Site) -> None:
    limit = Settings().login_limit_per_ip
    async with site.browser() as browser:
        for _ in range(limit):
            reply = await back(browser, code="c", state="guessed")
            assert reply.headers["location"] == "/oidc-error?error=federation_state"
        reply = await back(browser, code="c", state="guessed")
        assert reply.headers["location"] == "/oidc-error?error=rate_limited"
        reply = await browser.get("/auth/oidc/evil/login")
        assert reply.headers["location"] == "/oidc-error?error=rate_limited"


async def test_a_user_with_totp_on_is_sent_to_the_second_step(site: Site) -> None:
    async with site.browser() as browser:
        sent = await begin(browser)
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(sent["nonce"]))
        assert (await back(browser, code="c", state=sent["state"])).status_code == 302
    (user,) = await site.store.list_users()
    await site.store.save_totp(TotpFactor(user.id, b"sealed", False, 0.0))
    assert await site.store.confirm_totp(user.id, step=1, recovery_hashes=["h"])
    await site.store.revoke_user_sessions(user.id, now=0, reason="test")
    async with site.browser() as browser:
        sent = await begin(browser, "/somewhere")
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(sent["nonce"]))
        reply = await back(browser, code="c", state=sent["state"])
        assert reply.status_code == 302
        assert reply.headers["location"].startswith("/#mfa_token=")
        assert reply.headers["location"].endswith("&methods=totp,recovery_code")
        assert ACCESS not in reply.cookies
    assert await site.store.list_sessions(now=0) == []


@pytest.mark.parametrize("claimed", ["true", 1, "True", None])
async def test_only_email_verified_true_itself_links_a_verified_account(
    site: Site, claimed: Any
) -> None:
    """``"true"``, ``1``, or no claim at all: not the provider's word that it checked."""
    await site.store.create_user("mallory@example.com", "x", now=0, email_verified=True)
    async with site.browser() as browser:
        sent = await begin(browser)
        claims = site.hostile.claims(sent["nonce"], email_verified=claimed)
        site.hostile.id_token = site.hostile.sign(claims)
        await refused(site, await back(browser, code="c", state=sent["state"]), "link_required")
    assert await site.store.get_identity("evil", "user-1") is None


async def test_a_callback_replayed_in_the_same_browser_is_refused(site: Site) -> None:
    """The first callback drops the handshake cookie: the same URL again (back button, a
    second tab) has no state to match, even from a provider that would take the code twice."""
    async with site.browser() as browser:
        sent = await begin(browser)
        site.hostile.id_token = site.hostile.sign(site.hostile.claims(sent["nonce"]))
        first = await back(browser, code="c", state=sent["state"])
        assert first.headers["location"] == "/"
        again = await back(browser, code="c", state=sent["state"])
        assert again.headers["location"] == "/oidc-error?error=federation_state"
    assert len(await site.store.list_sessions(now=0)) == 1


async def test_linking_or_unlinking_from_a_stale_login_takes_a_new_one(site: Site) -> None:
    """A new way into the account (or one fewer) is a sensitive change, as adding or
    deleting a passkey is: a stolen session past GATEPASS_REAUTH_MAX_AGE cannot link
    its thief's provider account for a way in that needs no password."""
    async with site.browser() as browser:
        account = {"email": "ada@example.com", "password": "correct horse battery staple"}
        assert (await browser.post("/auth/register", json=account)).status_code == 201
        login = await browser.post("/auth/login", json=account)
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        site.clock.now += 600 + 1
        for reply in (
            await browser.post("/auth/oidc/evil/link", headers=bearer),
            await browser.delete("/auth/identities/evil/some-subject", headers=bearer),
        ):
            assert reply.status_code == 401, reply.text
            assert reply.json()["error"] == "insufficient_user_authentication"
            assert 'max_age="600"' in reply.headers["www-authenticate"]
        again = await browser.post(
            "/auth/reauthenticate", json={"password": account["password"]}, headers=bearer
        )
        assert again.status_code == 200, again.text
        fresh = {"Authorization": f"Bearer {again.json()['access_token']}"}
        linked = await browser.post("/auth/oidc/evil/link", headers=fresh)
        assert linked.status_code == 200, linked.text
        assert linked.json()["location"].startswith(f"{ISSUER}/auth?")
        gone = await browser.delete("/auth/identities/evil/some-subject", headers=fresh)
        assert gone.status_code == 404  # fresh enough: then there is no such identity
