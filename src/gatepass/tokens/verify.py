"""One access-token verifier, for the auth server and for ``gatepass.protect``.

``AccessVerifier.verify(token)`` is the whole path from a token string to a
``Principal``:

- the verified-token cache first: a hit skips the signature check only
  (``exp`` and ``nbf`` are checked at every hit, see ``gatepass.tokencache``).
  A cache belongs to one key set: when the source has another set loaded, the
  next request starts a fresh cache with a verifier prepared for it;
- on a miss, the token's shape (two dots for a JWS, four for a JWE): with a
  decryption key only nested tokens count, without one only a plain JWS
  (RFC 8725 §3.11-3.12), and a token of the wrong kind costs no key fetch;
- then the keys from a ``KeySource`` (the server's ``SigningKeys``, protect's
  ``JWKSClient``, or ``StaticKeys``). A token whose ``kid`` is unknown asks
  the source once for a newer set (the source rate-limits that) and is
  verified again;
- the revocation check, at every request, hit or miss: a revoked token is an
  ``InvalidTokenError``, as a forged one is (``gatepass.errors``).

Every refusal is a ``JoseError`` with its stable code, or ``InvalidTokenError``
(revoked, or wrongly typed identity claims); callers answer all of them alike.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol

from gatepass.errors import ConfigError, InvalidTokenError, KeyNotFoundError, MalformedTokenError
from gatepass.jose import DEFAULT_LIMITS, Key, KeySet, Limits, Verifier
from gatepass.jose.expectations import Expectations
from gatepass.jose.jwe.nested import NestedVerifier
from gatepass.tokencache import DEFAULT_MAX_BYTES, VerifiedTokenCache
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.principal import Principal

__all__ = [
    "AccessVerifier",
    "Decoder",
    "KeySource",
    "Revocations",
    "StaticKeys",
    "decoder",
    "limits_for",
]


class KeySource(Protocol):
    """Where the verification keys come from.

    ``loaded`` answers without I/O on every request, so a cache hit awaits
    nothing; ``key_set`` is asked only when that is not the set the verifier
    prepared (a miss may fetch, or refresh a stale set in the background).
    """

    def loaded(self) -> Key | KeySet | None:
        """The key set as it stands now (None before the first one)."""
        ...

    async def key_set(self) -> Key | KeySet:
        """The current keys (ServiceUnavailableError when there are none at all)."""
        ...

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None:
        """A newer key set than ``seen`` for a token whose ``kid`` it lacks, or None."""
        ...


class Revocations(Protocol):
    """The revocation check the verifier asks at every request."""

    def is_revoked(self, claims: Mapping[str, Any], now: float) -> bool: ...


class Decoder(Protocol):
    def decode(self, token: str | bytes) -> dict[str, Any]:
        """The verified claims, or a JoseError."""
        ...


class StaticKeys:
    """Keys given in the configuration; they never change."""

    def __init__(self, keys: Key | KeySet) -> None:
        self.keys = keys

    def loaded(self) -> Key | KeySet:
        return self.keys

    async def key_set(self) -> Key | KeySet:
        return self.keys

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None:
        return None


def limits_for(max_token_bytes: int) -> Limits:
    """The default ``Limits`` with the token cap lowered (or raised) to ``max_token_bytes``."""
    return Limits(
        max_token_bytes=max_token_bytes,
        max_header_bytes=min(DEFAULT_LIMITS.max_header_bytes, max_token_bytes),
        max_payload_bytes=min(DEFAULT_LIMITS.max_payload_bytes, max_token_bytes),
    )


def decoder(
    keys: Key | KeySet, expect: Expectations, encryption: AccessTokenEncryption | None
) -> Decoder:
    """The JWS-or-JWE branch for one key set: a ``Verifier``, or decrypt-then-verify."""
    if encryption is None:
        return Verifier(keys, expect=expect)
    return NestedVerifier(
        encryption.key,
        keys,
        expect,
        algorithms=(encryption.alg,),
        encryptions=(encryption.enc,),
    )


class _Prepared:
    """What belongs to one key set: its decoder and the tokens it verified."""

    __slots__ = ("cache", "decoder", "keys")

    def __init__(
        self, keys: Key | KeySet, decoder: Decoder, cache: VerifiedTokenCache[Principal]
    ) -> None:
        self.keys, self.decoder, self.cache = keys, decoder, cache


class AccessVerifier:
    """From a token string to its ``Principal`` (see the module docstring)."""

    def __init__(
        self,
        source: KeySource,
        expect: Expectations,
        *,
        encryption: AccessTokenEncryption | None = None,
        revocations: Revocations | None = None,
        cache_size: int = 10_000,
        cache_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if encryption is not None and expect.typ is None:
            raise ConfigError("Encrypted (nested) tokens need an explicit typ, such as at+jwt")
        self.source = source
        self.expect = expect
        self.encryption = encryption
        self.revocations = revocations
        self._dots = 2 if encryption is None else 4
        self._clock = expect.clock  # None: time.time, looked up at each call
        self._cache_size = cache_size
        self._cache_bytes = cache_bytes
        self._empty: VerifiedTokenCache[Principal] = self._new_cache()
        self._prepared: _Prepared | None = None

    def _new_cache(self) -> VerifiedTokenCache[Principal]:
        return VerifiedTokenCache(
            self._cache_size, max_bytes=self._cache_bytes, leeway=self.expect.leeway_seconds
        )

    @property
    def cache(self) -> VerifiedTokenCache[Principal]:
        """The verified tokens of the current key set."""
        prepared = self._prepared
        return self._empty if prepared is None else prepared.cache

    def _for(self, keys: Key | KeySet) -> _Prepared:
        prepared = self._prepared
        if prepared is None or prepared.keys is not keys:
            built = decoder(keys, self.expect, self.encryption)
            prepared = self._prepared = _Prepared(keys, built, self._new_cache())
        return prepared

    def _check_shape(self, token: str) -> None:
        if token.count(".") != self._dots:
            raise MalformedTokenError("The token is not of the configured kind")

    async def verify(self, token: str) -> Principal:
        """The principal of a valid, unrevoked token; a JoseError (or InvalidTokenError) else."""
        clock = self._clock
        now = time.time() if clock is None else clock()
        prepared = self._prepared
        principal = None
        if prepared is not None and prepared.keys is self.source.loaded():
            principal = prepared.cache.get(token, now)  # only well-shaped tokens are in it
        if principal is None or prepared is None:
            self._check_shape(token)  # before any key is fetched
            first = self._for(await self.source.key_set())
            prepared, claims = await self._verified(token, first)
            principal = Principal.from_claims(claims)
            prepared.cache.put(token, principal)
        if self.revocations is not None and self.revocations.is_revoked(principal.claims, now):
            prepared.cache.discard(token)
            raise InvalidTokenError()
        return principal

    async def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token`` (no cache, no revocation check)."""
        self._check_shape(token)
        return (await self._verified(token, self._for(await self.source.key_set())))[1]

    async def _verified(self, token: str, prepared: _Prepared) -> tuple[_Prepared, dict[str, Any]]:
        """Decode with ``prepared``, or once more with a newer key set for an unknown kid."""
        try:
            return prepared, prepared.decoder.decode(token)
        except KeyNotFoundError:
            if not isinstance(prepared.keys, KeySet):
                raise
            newer = await self.source.after_unknown_kid(prepared.keys)
            if newer is None:
                raise
        prepared = self._for(newer)
        return prepared, prepared.decoder.decode(token)
