"""The verified-token cache: expiry and revocation re-checked at every hit, and its bound."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from gatepass.errors import InvalidTokenError
from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, Principal, VerifiedTokenCache
from tests.protect.helpers import AUDIENCE, ISSUER, mint

KEY = Key.generate("EdDSA")


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))  # tokens carry whole seconds

    def __call__(self) -> float:
        return self.now


class Revoked:
    """A revocation source whose answer the test sets."""

    def __init__(self) -> None:
        self.sids: set[str] = set()
        self.asked = 0

    def is_revoked(self, claims: Mapping[str, Any], now: float) -> bool:
        self.asked += 1
        return claims.get("sid") in self.sids

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


def make(clock: Clock, revoked: Revoked | None = None, size: int = 100) -> Authenticator:
    return Authenticator(
        issuer=ISSUER,
        audience=AUDIENCE,
        keys=KeySet([KEY.public_key()]),
        revocations=revoked,
        cache_size=size,
        clock=clock,
    )


async def test_a_cached_token_dies_the_moment_it_expires() -> None:
    clock = Clock()
    auth = make(clock)
    token = mint(KEY, ttl=60, now=clock.now)
    await auth.authenticate(token)
    assert token in auth.cache
    clock.now += 59.9
    await auth.authenticate(token)  # a hit, still valid
    clock.now += 0.2
    with pytest.raises(InvalidTokenError):
        await auth.authenticate(token)
    assert token not in auth.cache


async def test_a_cached_token_dies_the_moment_it_is_revoked() -> None:
    clock, revoked = Clock(), Revoked()
    auth = make(clock, revoked)
    token = mint(KEY, sid="s-1", now=clock.now)
    await auth.authenticate(token)
    await auth.authenticate(token)
    assert token in auth.cache
    asked = revoked.asked
    revoked.sids.add("s-1")
    with pytest.raises(InvalidTokenError):
        await auth.authenticate(token)
    assert revoked.asked == asked + 1
    assert token not in auth.cache


async def test_the_cache_is_bounded_least_recently_used_first() -> None:
    clock = Clock()
    auth = make(clock, size=3)
    tokens = [mint(KEY, sid=f"s{i}", now=clock.now) for i in range(4)]
    for token in tokens[:3]:
        await auth.authenticate(token)
    await auth.authenticate(tokens[0])  # now the most recently used
    await auth.authenticate(tokens[3])
    assert len(auth.cache) == 3
    assert tokens[1] not in auth.cache
    assert all(t in auth.cache for t in (tokens[0], tokens[2], tokens[3]))


async def test_only_the_exact_token_string_hits() -> None:
    clock = Clock()
    auth = make(clock)
    token = mint(KEY, now=clock.now)
    await auth.authenticate(token)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidTokenError):
        await auth.authenticate(tampered)


def test_nbf_is_checked_at_a_hit_with_the_leeway() -> None:
    cache: VerifiedTokenCache[Principal] = VerifiedTokenCache(10, leeway=5)
    claims = {"sub": "u", "sid": "s", "jti": "j", "exp": 1000.0, "nbf": 500.0}
    cache.put("t", Principal.from_claims(claims))
    assert cache.get("t", 494.0) is None
    cache.put("t", Principal.from_claims(claims))
    assert cache.get("t", 496.0) is not None
    assert cache.get("t", 1004.9) is not None
    assert cache.get("t", 1005.0) is None


def test_a_zero_size_cache_keeps_nothing() -> None:
    cache: VerifiedTokenCache[Principal] = VerifiedTokenCache(0)
    cache.put("t", Principal.from_claims({"sub": "u", "sid": "s", "jti": "j", "exp": 10**10}))
    assert len(cache) == 0
