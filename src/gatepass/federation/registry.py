"""``Federation``: the configured providers' clients, by name, and how the server builds them.

One ``httpx.AsyncClient`` (5 s per phase, 10 s per call, no redirects, no
proxies from the environment) is shared by every provider; tests pass one of
their own. Plain-http issuers are allowed on loopback outside production
only (a provider on the developer's machine).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import httpx

from gatepass.errors import NotFoundError
from gatepass.federation.accounts import ProviderAccount
from gatepass.federation.github import GitHubClient
from gatepass.federation.handshake import Handshake
from gatepass.federation.http import new_http
from gatepass.federation.openid import OpenIdClient
from gatepass.providers import Provider

__all__ = ["Federation", "ProviderClient"]


class ProviderClient(Protocol):
    provider: Provider

    async def authorization_url(self, handshake: Handshake, redirect_uri: str) -> str: ...

    def check_response_issuer(self, iss: str | None) -> None:
        """RFC 9207: an ``iss`` in the callback must be this provider's issuer."""
        ...

    async def redeem(
        self, code: str, handshake: Handshake, redirect_uri: str, *, now: float
    ) -> ProviderAccount: ...

    async def aclose(self) -> None: ...


class Federation:
    def __init__(
        self,
        providers: tuple[Provider, ...],
        *,
        allow_insecure_loopback: bool,
        http: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self._owns_http = http is None
        self._http = http or new_http()
        self._clients: dict[str, ProviderClient] = {}
        for provider in providers:
            if provider.kind == "github":
                self._clients[provider.name] = GitHubClient(provider, self._http)
            else:
                self._clients[provider.name] = OpenIdClient(
                    provider,
                    self._http,
                    allow_insecure_loopback=allow_insecure_loopback,
                    monotonic=monotonic,
                )

    def client(self, name: str) -> ProviderClient:
        """The client of a configured provider; ``NotFoundError`` for any other name."""
        found = self._clients.get(name)
        if found is None:
            raise NotFoundError("No such sign-in provider")
        return found

    def public(self) -> list[dict[str, str]]:
        """What the console may show of each provider: its name and label, nothing else."""
        return [
            {"name": c.provider.name, "label": c.provider.label} for c in self._clients.values()
        ]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        if self._owns_http:
            await self._http.aclose()
