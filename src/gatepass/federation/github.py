"""``GitHubClient``: GitHub's sign-in, plain OAuth 2.0 (no discovery, no id_token).

The redirect carries the scopes (``read:user user:email``), ``state`` and the
PKCE ``S256`` challenge; the code is redeemed with the client secret and the
verifier (JSON answer asked for). Who signed in is GitHub's user API: the
subject is ``/user``'s numeric ``id`` (a login name can be renamed and
reused, an id cannot), the address the primary one of ``/user/emails``,
verified only when GitHub says ``verified: true``.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

import httpx

from gatepass.errors import FederationStateError, FederationTokenError
from gatepass.federation.accounts import ProviderAccount, account_from_claims
from gatepass.federation.handshake import Handshake
from gatepass.federation.http import call_json
from gatepass.providers import Provider

__all__ = ["GitHubClient"]

_API: Final = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubClient:
    def __init__(self, provider: Provider, http: httpx.AsyncClient) -> None:
        self.provider = provider
        self._http = http

    async def authorization_url(self, handshake: Handshake, redirect_uri: str) -> str:
        query = urlencode(
            {
                "client_id": self.provider.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.provider.scopes),
                "state": handshake.state,
                "code_challenge": handshake.code_challenge,
                "code_challenge_method": "S256",
                "allow_signup": "true",
            }
        )
        return f"{self.provider.github.authorize}?{query}"

    def check_response_issuer(self, iss: str | None) -> None:
        if iss is not None:  # GitHub names no issuer: an iss is another server's answer
            raise FederationStateError()

    async def redeem(
        self, code: str, handshake: Handshake, redirect_uri: str, *, now: float
    ) -> ProviderAccount:
        tokens = await call_json(
            self._http,
            "POST",
            self.provider.github.token,
            what="token endpoint",
            data={
                "client_id": self.provider.client_id,
                "client_secret": self.provider.client_secret.get(),
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": handshake.code_verifier,
            },
        )
        access = tokens.get("access_token") if isinstance(tokens, dict) else None
        if not isinstance(access, str) or not access:
            raise FederationTokenError()  # GitHub answers 200 {"error": ...} for a bad code
        headers = {**_API, "Authorization": f"Bearer {access}"}
        api = self.provider.github.api
        user = await call_json(self._http, "GET", f"{api}/user", what="user API", headers=headers)
        emails = await call_json(
            self._http, "GET", f"{api}/user/emails", what="user API", headers=headers
        )
        user_id = user.get("id") if isinstance(user, dict) else None
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise FederationTokenError()
        email, verified = _primary(emails)
        # The same account rule as an id_token's (sub 1-255 characters, as stored).
        claims = {"sub": str(user_id), "email": email, "email_verified": verified}
        return account_from_claims(self.provider.name, claims)

    async def aclose(self) -> None:
        return None


def _primary(emails: Any) -> tuple[str | None, bool]:
    if not isinstance(emails, list):
        return None, False
    for entry in emails:
        if isinstance(entry, dict) and entry.get("primary") is True:
            address = entry.get("email")
            if isinstance(address, str) and address:
                return address, entry.get("verified") is True
    return None, False
