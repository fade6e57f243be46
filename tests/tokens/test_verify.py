"""The one access-token verifier: kid retry, JWS/JWE branch, cache, revocation (injected clock)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gatepass.errors import (
    ConfigError,
    InvalidTokenError,
    KeyNotFoundError,
    MalformedTokenError,
    TokenExpiredError,
    TokenTooLargeError,
)
from gatepass.jose import Key, KeySet
from gatepass.jose.expectations import Expectations
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.verify import AccessVerifier, StaticKeys, limits_for

NOW = 1_900_000_000.0
SIGNING = Key.generate("EdDSA")
ENCRYPTION = AccessTokenEncryption.from_jwk_text(
    '{"kty":"oct","k":"' + "A" * 42 + 'Q"}'  # 256 bits
)
ISSUER = AccessTokenIssuer("https://auth.test", "api", 600)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class RotatingKeys:
    """A key source that learns a new key set only when asked after an unknown kid."""

    def __init__(self, first: KeySet, later: KeySet | None) -> None:
        self.current, self.later = first, later
        self.asked: list[KeySet] = []
        self.fetches = 0

    def loaded(self) -> KeySet:
        return self.current

    async def key_set(self) -> KeySet:
        self.fetches += 1
        return self.current

    async def after_unknown_kid(self, seen: KeySet) -> KeySet | None:
        self.asked.append(seen)
        if self.later is not None:
            self.current = self.later
        return self.later


class Revoked:
    def __init__(self) -> None:
        self.sids: set[str] = set()
        self.asked_at: list[float] = []

    def is_revoked(self, claims: Mapping[str, Any], now: float) -> bool:
        self.asked_at.append(now)
        return claims.get("sid") in self.sids


def _token(key: Key = SIGNING, *, issuer: AccessTokenIssuer = ISSUER, sid: str = "s1") -> str:
    token, _ = issuer.issue(
        key, user_id="u1", email="a@b.test", role="user", session_id=sid, now=NOW
    )
    return token


def _verifier(
    source: Any, clock: Clock, *, encryption: AccessTokenEncryption | None = None, **kw: Any
) -> AccessVerifier:
    expect = Expectations(
        ("EdDSA",),
        issuer="https://auth.test",
        audience="api",
        typ="at+jwt",
        required=("sub", "iat", "jti", "sid"),
        clock=clock,
    )
    return AccessVerifier(source, expect, encryption=encryption, **kw)


async def test_a_valid_token_gives_its_principal() -> None:
    verifier = _verifier(StaticKeys(SIGNING.public_key()), Clock())
    principal = await verifier.verify(_token())
    assert (principal.sub, principal.sid, principal.email, principal.role) == (
        "u1",
        "s1",
        "a@b.test",
        "user",
    )


async def test_an_unknown_kid_asks_the_source_once_for_newer_keys() -> None:
    new = Key.generate("EdDSA")
    old_set, new_set = KeySet([SIGNING.public_key()]), KeySet([new.public_key()])
    source = RotatingKeys(old_set, new_set)
    verifier = _verifier(source, Clock())
    token = _token(new)
    assert (await verifier.verify(token)).sub == "u1"
    assert source.asked == [old_set]
    assert token in verifier.cache  # cached with the new key set, which the source hands out


async def test_an_unknown_kid_without_newer_keys_is_refused() -> None:
    source = RotatingKeys(KeySet([SIGNING.public_key()]), None)
    verifier = _verifier(source, Clock())
    with pytest.raises(KeyNotFoundError):
        await verifier.verify(_token(Key.generate("EdDSA")))
    assert len(source.asked) == 1


async def test_a_single_key_is_not_retried() -> None:
    class OneKey(RotatingKeys):
        def loaded(self) -> Key:  # type: ignore[override]
            return SIGNING.public_key()

        async def key_set(self) -> Key:  # type: ignore[override]
            return SIGNING.public_key()

    source = OneKey(KeySet([]), KeySet([]))
    with pytest.raises(KeyNotFoundError):
        await _verifier(source, Clock()).verify(_token(Key.generate("EdDSA")))
    assert source.asked == []


async def test_without_a_decryption_key_only_a_jws_counts() -> None:
    verifier = _verifier(StaticKeys(SIGNING.public_key()), Clock())
    nested = _token(issuer=AccessTokenIssuer("https://auth.test", "api", 600, ENCRYPTION))
    with pytest.raises(MalformedTokenError):
        await verifier.verify(nested)


async def test_with_a_decryption_key_only_a_nested_jwe_counts() -> None:
    source = RotatingKeys(KeySet([SIGNING.public_key()]), None)
    verifier = _verifier(source, Clock(), encryption=ENCRYPTION)
    nested = _token(issuer=AccessTokenIssuer("https://auth.test", "api", 600, ENCRYPTION))
    assert (await verifier.verify(nested)).sid == "s1"
    with pytest.raises(MalformedTokenError):  # the shape is checked before any key is asked for
        await verifier.verify(_token())
    assert source.asked == []


def test_nested_tokens_need_an_explicit_typ() -> None:
    with pytest.raises(ConfigError):
        AccessVerifier(StaticKeys(SIGNING), Expectations(("EdDSA",)), encryption=ENCRYPTION)


async def test_a_cache_hit_skips_the_signature_but_not_the_expiry() -> None:
    clock = Clock()
    verifier = _verifier(StaticKeys(SIGNING.public_key()), clock)
    token = _token()
    first = await verifier.verify(token)
    assert token in verifier.cache
    assert await verifier.verify(token) is first  # the cached principal
    clock.now = NOW + 600  # exp
    with pytest.raises(TokenExpiredError):
        await verifier.verify(token)
    assert token not in verifier.cache


async def test_a_cache_belongs_to_one_key_set() -> None:
    source = RotatingKeys(KeySet([SIGNING.public_key()]), None)
    verifier = _verifier(source, Clock())
    token = _token()
    await verifier.verify(token)
    assert token in verifier.cache
    await verifier.verify(token)
    assert source.fetches == 1  # a hit asks the source for nothing but what it has loaded
    source.current = KeySet([SIGNING.public_key()])  # another set (a key sync swapped it)
    await verifier.verify(token)
    assert source.fetches == 2
    assert len(verifier.cache) == 1
    assert token in verifier.cache
    source.current = KeySet([Key.generate("EdDSA").public_key()])
    with pytest.raises(KeyNotFoundError):  # the old verification does not carry over
        await verifier.verify(token)


async def test_revocation_is_checked_at_every_request_hit_or_miss() -> None:
    clock, revoked = Clock(), Revoked()
    verifier = _verifier(StaticKeys(SIGNING.public_key()), clock, revocations=revoked)
    token = _token()
    await verifier.verify(token)
    clock.now = NOW + 5
    await verifier.verify(token)  # a hit
    assert revoked.asked_at == [NOW, NOW + 5]
    revoked.sids.add("s1")
    with pytest.raises(InvalidTokenError):
        await verifier.verify(token)
    assert token not in verifier.cache


async def test_claims_skips_the_cache_and_the_revocation_check() -> None:
    revoked = Revoked()
    revoked.sids.add("s1")
    verifier = _verifier(StaticKeys(SIGNING.public_key()), Clock(), revocations=revoked)
    assert (await verifier.claims(_token()))["sid"] == "s1"
    assert len(verifier.cache) == 0
    assert revoked.asked_at == []


async def test_the_size_cap_comes_from_limits_for() -> None:
    token = _token()
    expect = Expectations(
        ("EdDSA",), issuer="https://auth.test", audience="api", typ="at+jwt",
        clock=Clock(), limits=limits_for(len(token) - 1),
    )  # fmt: skip
    with pytest.raises(TokenTooLargeError):
        await AccessVerifier(StaticKeys(SIGNING.public_key()), expect).verify(token)


def test_limits_for_keeps_the_header_and_payload_caps_inside_the_token_cap() -> None:
    assert limits_for(8192).max_header_bytes == 1024
    small = limits_for(512)
    assert (small.max_token_bytes, small.max_header_bytes, small.max_payload_bytes) == (
        512,
        512,
        512,
    )
