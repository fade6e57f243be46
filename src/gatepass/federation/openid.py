"""``OpenIdClient``: one OpenID Connect provider (discovery, the authorization URL, the code).

The redirect carries ``response_type=code``, the configured scopes, the
handshake's ``state``, ``nonce`` and PKCE ``S256`` challenge. The code is
redeemed at the metadata's token endpoint with the client secret as the
metadata asks (``client_secret_basic`` by default, else ``_post``) and the
PKCE verifier; the id_token is verified (``federation.idtoken``) with the
keys of the metadata's ``jwks_uri`` through ``protect``'s ``JWKSClient`` (a
token with an unknown ``kid`` refetches at most once per cooldown). When
the id_token carries no email and the provider has a userinfo endpoint, the
email comes from there, and only if its ``sub`` is the id_token's (Core §5.3.2).
An ``iss`` in the callback (RFC 9207) must be the issuer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote_plus, urlencode

import httpx

from gatepass.errors import (
    FederationStateError,
    FederationTokenError,
    JoseError,
    KeyNotFoundError,
    ProviderUnavailableError,
    ServiceUnavailableError,
)
from gatepass.federation.accounts import ProviderAccount, account_from_claims
from gatepass.federation.discovery import DiscoveryClient
from gatepass.federation.handshake import Handshake
from gatepass.federation.http import call_json
from gatepass.federation.idtoken import verify_id_token
from gatepass.federation.metadata import ProviderMetadata
from gatepass.jose import KeySet
from gatepass.protect.jwks import JWKSClient
from gatepass.providers import Provider

__all__ = ["OpenIdClient"]

log = logging.getLogger("gatepass.federation")


class OpenIdClient:
    def __init__(
        self,
        provider: Provider,
        http: httpx.AsyncClient,
        *,
        allow_insecure_loopback: bool,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.provider = provider
        self._http = http
        self._insecure = allow_insecure_loopback
        self._monotonic = monotonic
        self.discovery = DiscoveryClient(
            provider.issuer,
            http,
            allow_insecure_loopback=allow_insecure_loopback,
            clock=monotonic,
        )
        self._jwks: JWKSClient | None = None

    async def authorization_url(self, handshake: Handshake, redirect_uri: str) -> str:
        metadata = await self.discovery.metadata()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.provider.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.provider.scopes),
                "state": handshake.state,
                "nonce": handshake.nonce,
                "code_challenge": handshake.code_challenge,
                "code_challenge_method": "S256",
            }
        )
        joiner = "&" if "?" in metadata.authorization_endpoint else "?"
        return f"{metadata.authorization_endpoint}{joiner}{query}"

    def check_response_issuer(self, iss: str | None) -> None:
        # RFC 9207 §2.4: a callback naming another issuer is a mix-up (another
        # provider's code sent here); one naming none is allowed (older providers).
        if iss is not None and iss != self.provider.issuer:
            raise FederationStateError()

    async def redeem(
        self, code: str, handshake: Handshake, redirect_uri: str, *, now: float
    ) -> ProviderAccount:
        metadata = await self.discovery.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": handshake.code_verifier,
        }
        client_id, secret = self.provider.client_id, self.provider.client_secret.get()
        auth = None
        if metadata.token_auth_method == "client_secret_post":
            form |= {"client_id": client_id, "client_secret": secret}
        else:
            # RFC 6749 §2.3.1: both form-encoded before the Basic scheme (httpx does not).
            auth = (quote_plus(client_id), quote_plus(secret))
        tokens = await call_json(
            self._http, "POST", metadata.token_endpoint, what="token endpoint", data=form, auth=auth
        )
        id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
        if not isinstance(id_token, str):
            raise FederationTokenError()
        access = tokens.get("access_token")
        access = access if isinstance(access, str) else None
        claims = await self._verified(id_token, access, metadata, handshake, now)
        userinfo = metadata.userinfo_endpoint
        if not isinstance(claims.get("email"), str) and userinfo and access is not None:
            info = await call_json(
                self._http,
                "GET",
                userinfo,
                what="userinfo endpoint",
                headers={"Authorization": f"Bearer {access}"},
            )
            if isinstance(info, dict) and info.get("sub") == claims["sub"]:
                claims = {**claims, **_email_claims(info)}
        return account_from_claims(self.provider.name, claims)

    async def _verified(
        self,
        id_token: str,
        access_token: str | None,
        metadata: ProviderMetadata,
        handshake: Handshake,
        now: float,
    ) -> dict[str, object]:
        jwks = self._jwks_for(metadata)
        try:
            keys = await jwks.key_set()
        except ServiceUnavailableError:
            raise ProviderUnavailableError() from None
        try:
            try:
                return self._check(id_token, access_token, keys, metadata, handshake, now)
            except KeyNotFoundError:
                newer = await jwks.after_unknown_kid(keys)
                if newer is None:
                    raise
                return self._check(id_token, access_token, newer, metadata, handshake, now)
        except JoseError as exc:
            log.warning("an id_token of %s was refused: %s", self.provider.name, exc.code)
            raise FederationTokenError() from None
        except FederationTokenError:
            log.warning("an id_token of %s was refused: OpenID claims", self.provider.name)
            raise

    def _check(
        self,
        id_token: str,
        access_token: str | None,
        keys: KeySet,
        metadata: ProviderMetadata,
        handshake: Handshake,
        now: float,
    ) -> dict[str, object]:
        return verify_id_token(
            id_token,
            keys,
            issuer=metadata.issuer,
            client_id=self.provider.client_id,
            algorithms=metadata.id_token_algorithms,
            nonce=handshake.nonce,
            now=now,
            access_token=access_token,
        )

    def _jwks_for(self, metadata: ProviderMetadata) -> JWKSClient:
        if self._jwks is None or self._jwks.url != metadata.jwks_uri:
            self._jwks = JWKSClient(
                metadata.jwks_uri,
                http=self._http,
                allow_insecure_loopback=self._insecure,
                clock=self._monotonic,
            )
        return self._jwks

    async def aclose(self) -> None:
        await self.discovery.aclose()
        if self._jwks is not None:
            await self._jwks.aclose()


def _email_claims(info: dict[str, object]) -> dict[str, object]:
    return {k: info[k] for k in ("email", "email_verified") if k in info}
