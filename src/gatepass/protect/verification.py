"""From a token string to verified claims: where the keys come from, and JWS versus JWE.

Keys come from a fixed ``Key``/``KeySet`` (a shared HS256 secret becomes one)
or from a ``JWKSClient``. A token whose ``kid`` is unknown asks the key source
once for a newer set (the JWKS client rate-limits that) and is verified again.

With a decryption key configured, only nested tokens (a JWE holding the
signed JWT, ``cty: JWT``) are accepted, and without one only a plain JWS is
(RFC 8725 §3.11-3.12): the token's shape is checked before any parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Final, Protocol

from gatepass.errors import ConfigError, KeyNotFoundError, MalformedTokenError
from gatepass.jose import Key, KeySet, Limits, Verifier
from gatepass.jose.jwe.nested import decrypt_then_verify
from gatepass.protect.jwks import JWKSClient
from gatepass.protect.profiles import GATEPASS
from gatepass.tokens.encryption import AccessTokenEncryption

__all__ = ["ASYMMETRIC_ALGORITHMS", "KeySource", "RemoteKeys", "StaticKeys", "TokenVerifier"]

#: The allow-list for keys from a JWKS: public-key algorithms only, never HMAC.
ASYMMETRIC_ALGORITHMS: Final = (
    "EdDSA",
    "Ed25519",
    "ES256",
    "ES384",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
    "RS256",
    "RS384",
    "RS512",
)
#: The claims every gatepass access token carries (as the auth server requires them).
REQUIRED_CLAIMS: Final = GATEPASS.require


class KeySource(Protocol):
    async def key_set(self) -> Key | KeySet: ...

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None: ...


class StaticKeys:
    """Keys given in the configuration; they never change."""

    def __init__(self, keys: Key | KeySet) -> None:
        self.keys = keys

    async def key_set(self) -> Key | KeySet:
        return self.keys

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None:
        return None


class RemoteKeys:
    """Keys from a JWKS URL, through a ``JWKSClient``."""

    def __init__(self, client: JWKSClient) -> None:
        self.client = client

    async def key_set(self) -> Key | KeySet:
        return await self.client.key_set()

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None:
        return await self.client.after_unknown_kid(seen)


class TokenVerifier:
    """Verifies gatepass access tokens: signature, ``typ``, issuer, audience, times."""

    def __init__(
        self,
        source: KeySource,
        *,
        algorithms: Collection[str],
        issuer: str,
        audience: str,
        typ: str | None,
        leeway: float,
        limits: Limits,
        encryption: AccessTokenEncryption | None,
        clock: Callable[[], float],
        required: Collection[str] = REQUIRED_CLAIMS,
    ) -> None:
        if encryption is not None and typ is None:
            raise ConfigError("Encrypted (nested) tokens need an explicit typ, such as at+jwt")
        self.source = source
        self._algorithms = tuple(algorithms)
        self._issuer, self._audience, self._typ = issuer, audience, typ
        self._leeway, self._limits, self._clock = leeway, limits, clock
        self._required = tuple(required)
        self._encryption = encryption
        self._prepared: tuple[Key | KeySet, Verifier] | None = None

    async def claims(self, token: str) -> dict[str, Any]:
        """The verified claims, or a JoseError (ServiceUnavailableError without any keys)."""
        dots = token.count(".")
        if dots != (2 if self._encryption is None else 4):
            raise MalformedTokenError("The token is not of the configured kind")
        keys = await self.source.key_set()
        try:
            return self._decode(token, keys)
        except KeyNotFoundError:
            if not isinstance(keys, KeySet):
                raise
            newer = await self.source.after_unknown_kid(keys)
            if newer is None:
                raise
            return self._decode(token, newer)

    def _decode(self, token: str, keys: Key | KeySet) -> dict[str, Any]:
        if self._encryption is not None:
            assert self._typ is not None  # checked in __init__
            return decrypt_then_verify(
                token,
                self._encryption.key,
                keys,
                typ=self._typ,
                algorithms=[self._encryption.alg],
                encryptions=[self._encryption.enc],
                signing_algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                required=self._required,
                clock=self._clock,
                limits=self._limits,
            )
        prepared = self._prepared
        if prepared is None or prepared[0] is not keys:
            verifier = Verifier(
                keys,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                typ=self._typ,
                leeway=self._leeway,
                required=self._required,
                clock=self._clock,
                limits=self._limits,
            )
            prepared = self._prepared = (keys, verifier)
        return prepared[1].decode(token)
