"""The verified-token cache: expiry and revocation re-checked at every hit, and its bound."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Mapping
from typing import Any

import pytest

from gatepass.errors import InvalidTokenError
from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, Principal, VerifiedTokenCache
from gatepass.tokencache import ENTRY_OVERHEAD, entry_bytes
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


def _principal(i: int, exp: float = 10**10) -> Principal:
    return Principal.from_claims(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": f"user-{i:08d}",
            "sid": f"session-{i:08d}",
            "jti": f"jti-{i:024d}",
            "exp": exp,
            "iat": 1_700_000_000,
            "email": f"user{i}@example.com",
            "email_verified": True,
            "role": "user",
            "amr": ["pwd", "otp"],
        }
    )


def _token(i: int) -> str:
    return f"eyJ.{i:0300d}.sig"  # a distinct string the size of a real token's parts


def test_the_cache_is_bounded_in_bytes_least_recently_used_first() -> None:
    one = entry_bytes(_token(0), _principal(0).claims)
    cache: VerifiedTokenCache[Principal] = VerifiedTokenCache(1000, max_bytes=3 * one + one // 2)
    for i in range(3):
        cache.put(_token(i), _principal(i))
    assert cache.get(_token(0), 0.0) is not None  # now the most recently used
    cache.put(_token(3), _principal(3))
    assert len(cache) == 3
    assert _token(1) not in cache
    assert all(_token(i) in cache for i in (0, 2, 3))
    assert cache.bytes <= cache.max_bytes


def test_bytes_are_given_back_on_discard_expiry_replacement_and_clear() -> None:
    cache: VerifiedTokenCache[Principal] = VerifiedTokenCache(100)
    expiring = _principal(1, exp=100.0)
    cache.put(_token(1), expiring)
    cache.put(_token(2), _principal(2))
    cache.put(_token(2), _principal(2))  # the same token again is counted once
    one, two = entry_bytes(_token(1), expiring.claims), entry_bytes(_token(2), _principal(2).claims)
    assert cache.bytes == one + two
    assert cache.get(_token(1), 100.0) is None  # expired: gone, bytes with it
    cache.discard(_token(2))
    assert (len(cache), cache.bytes) == (0, 0)
    cache.put(_token(3), _principal(3))
    cache.clear()
    assert cache.bytes == 0


def test_an_entry_larger_than_the_whole_bound_is_not_cached() -> None:
    cache: VerifiedTokenCache[Principal] = VerifiedTokenCache(100, max_bytes=ENTRY_OVERHEAD)
    cache.put(_token(1), _principal(1))
    assert (len(cache), cache.bytes) == (0, 0)


def test_the_byte_count_is_close_to_what_the_entries_keep_alive() -> None:
    cache: VerifiedTokenCache[Principal] = VerifiedTokenCache(10_000, max_bytes=10**9)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2000):
            cache.put(_token(i), _principal(i))  # nothing else keeps them alive
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0.75 * kept <= cache.bytes <= 1.5 * kept, (cache.bytes, kept)


def test_a_negative_byte_bound_is_refused() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        VerifiedTokenCache(10, max_bytes=-1)


async def test_the_authenticator_hands_its_byte_bound_to_the_cache() -> None:
    auth = Authenticator(
        issuer=ISSUER, audience=AUDIENCE, keys=KeySet([KEY.public_key()]), cache_bytes=12345
    )
    await auth.authenticate(mint(KEY))
    assert auth.cache.max_bytes == 12345
