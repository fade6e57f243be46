"""GitHub's sign-in: plain OAuth 2.0 and its user API, against a fake GitHub."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gatepass.errors import FederationStateError, FederationTokenError, ProviderUnavailableError
from gatepass.federation import handshake
from gatepass.federation.github import GitHubClient
from gatepass.settings import Settings

ENTRY = json.dumps([{"name": "github", "client_id": "Iv1.abc", "client_secret": "shh"}])
PROVIDER = Settings.from_env({"GATEPASS_OIDC_PROVIDERS": ENTRY}).providers[0]
REDIRECT = "https://auth.example.com/auth/oidc/github/callback"


def reply(status: int, body: Any) -> httpx.Response:
    """A streamed answer (an ``httpx.Response`` made with content is read already)."""
    return httpx.Response(status, stream=httpx.ByteStream(json.dumps(body).encode()))


class FakeGitHub:
    def __init__(self) -> None:
        self.token: dict[str, Any] = {"access_token": "gho_x", "token_type": "bearer"}
        self.user: Any = {"id": 583231, "login": "octocat"}
        self.emails: Any = [
            {"email": "octo@old.example", "primary": False, "verified": True},
            {"email": "octocat@github.com", "primary": True, "verified": True},
        ]
        self.forms: list[dict[str, list[str]]] = []
        self.status = 200

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/login/oauth/access_token":
            self.forms.append(parse_qs(request.content.decode()))
            return reply(self.status, self.token)
        assert request.headers["authorization"] == "Bearer gho_x"
        if request.url.path == "/user":
            return reply(200, self.user)
        if request.url.path == "/user/emails":
            return reply(200, self.emails)
        return reply(404, {})


@pytest.fixture
def github() -> FakeGitHub:
    return FakeGitHub()


def client(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(PROVIDER, httpx.AsyncClient(transport=httpx.MockTransport(fake.handle)))


async def test_the_redirect_carries_state_and_pkce(github: FakeGitHub) -> None:
    started = handshake.begin("github", "/", now=0)
    url = await client(github).authorization_url(started, REDIRECT)
    assert url.startswith("https://github.com/login/oauth/authorize?")
    sent = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert sent["state"] == started.state
    assert (sent["code_challenge"], sent["code_challenge_method"]) == (
        started.code_challenge,
        "S256",
    )
    assert sent["scope"] == "read:user user:email"
    assert sent["redirect_uri"] == REDIRECT


async def test_the_account_is_githubs_numeric_id_and_primary_address(github: FakeGitHub) -> None:
    started = handshake.begin("github", "/", now=0)
    account = await client(github).redeem("code-1", started, REDIRECT, now=0)
    assert (account.subject, account.email, account.email_verified) == (
        "583231",
        "octocat@github.com",
        True,
    )
    form = github.forms[0]
    assert form["code_verifier"] == [started.code_verifier]
    assert form["client_secret"] == ["shh"]


async def test_an_unverified_primary_address_is_not_verified(github: FakeGitHub) -> None:
    github.emails = [{"email": "octocat@github.com", "primary": True, "verified": False}]
    account = await client(github).redeem(
        "c", handshake.begin("github", "/", now=0), REDIRECT, now=0
    )
    assert (account.email, account.email_verified) == ("octocat@github.com", False)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"token": {"error": "bad_verification_code"}}, FederationTokenError),
        ({"user": {"id": "583231"}}, FederationTokenError),
        ({"user": {"id": True}}, FederationTokenError),
        # a subject longer than the identities table holds (255): refused, not a 500
        ({"user": {"id": 10**300}}, FederationTokenError),
        ({"status": 502}, ProviderUnavailableError),
        ({"status": 401}, FederationTokenError),
    ],
)
async def test_refused_answers(github: FakeGitHub, change: dict[str, Any], error: type) -> None:
    for name, value in change.items():
        setattr(github, name, value)
    with pytest.raises(error):
        await client(github).redeem("c", handshake.begin("github", "/", now=0), REDIRECT, now=0)


def test_a_callback_naming_an_issuer_is_not_githubs(github: FakeGitHub) -> None:
    client(github).check_response_issuer(None)
    with pytest.raises(FederationStateError):
        client(github).check_response_issuer("https://idp.example.com")
