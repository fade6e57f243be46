"""The JWKS client against a real local server: slow, down, garbage, concurrency, rotation."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator

import orjson
import pytest

from gatepass.errors import ConfigError, InvalidTokenError, ServiceUnavailableError
from gatepass.jose import Key, KeySet, encode
from gatepass.protect import Authenticator, JWKSClient
from tests.protect.helpers import AUDIENCE, ISSUER, FakeAuthServer, free_port, mint, running

OLD = Key.generate("EdDSA")
NEW = Key.generate("ES256")


def jwks_of(*keys: Key) -> dict[str, object]:
    return KeySet(k.public_key() for k in keys).export_jwks()


@pytest.fixture
def fake() -> FakeAuthServer:
    return FakeAuthServer(jwks=jwks_of(OLD))


@pytest.fixture
def url(fake: FakeAuthServer) -> Iterator[str]:
    with running(fake.app()) as base:
        yield f"{base}/.well-known/jwks.json"


class Clock:
    """A monotonic clock the tests move by hand, so cooldowns pass without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def client(url: str, clock: Callable[[], float] = time.monotonic, **options: float) -> JWKSClient:
    return JWKSClient(url, allow_insecure_loopback=True, clock=clock, **options)  # type: ignore[arg-type]


@pytest.fixture
async def make_auth() -> AsyncIterator[list[Authenticator]]:
    made: list[Authenticator] = []
    yield made
    for auth in made:
        await auth.close()


def authenticator(made: list[Authenticator], jwks: JWKSClient) -> Authenticator:
    auth = Authenticator(issuer=ISSUER, audience=AUDIENCE, jwks_client=jwks)
    made.append(auth)
    return auth


async def test_keys_are_fetched_once_and_cached(
    fake: FakeAuthServer, url: str, make_auth: list[Authenticator]
) -> None:
    auth = authenticator(make_auth, client(url))
    for i in range(10):
        principal = await auth.authenticate(mint(OLD, sid=f"s{i}"))
        assert principal.sid == f"s{i}"
    assert fake.jwks_requests == 1


async def test_a_slow_server_times_out(fake: FakeAuthServer, url: str) -> None:
    fake.jwks_mode = "slow"
    jwks = client(url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError):
        await jwks.key_set()
    assert time.monotonic() - started < 1.5
    await jwks.aclose()


async def test_a_down_server_is_service_unavailable(make_auth: list[Authenticator]) -> None:
    jwks = client(f"http://127.0.0.1:{free_port()}/jwks.json", timeout=1.0, cooldown=60)
    auth = authenticator(make_auth, jwks)
    with pytest.raises(ServiceUnavailableError):
        await auth.authenticate(mint(OLD))
    with pytest.raises(ServiceUnavailableError):  # within the cooldown: no new attempt
        await auth.authenticate(mint(OLD))
    assert jwks.fetches == 1


@pytest.mark.parametrize("mode", ["garbage", "error", "invalid", "slow", "huge", "secret"])
async def test_a_failed_fetch_keeps_the_last_good_set(
    fake: FakeAuthServer,
    url: str,
    mode: str,
    make_auth: list[Authenticator],
    caplog: pytest.LogCaptureFixture,
) -> None:
    jwks = client(url, cooldown=0, timeout=0.5)
    auth = authenticator(make_auth, jwks)
    good = mint(OLD)
    await auth.authenticate(good)
    fake.jwks_mode = mode
    fake.jwks = jwks_of(OLD, NEW)
    # an unknown kid: one refetch, which fails
    with caplog.at_level(logging.WARNING, "gatepass.protect"), pytest.raises(InvalidTokenError):
        await auth.authenticate(mint(NEW))
    assert fake.jwks_requests == 2
    assert "JWKS fetch failed" in caplog.text
    assert "keeping the last good key set" in caplog.text
    auth.cache.clear()
    assert (await auth.authenticate(good)).sub == "user-1"


async def test_100_concurrent_unknown_kids_make_one_fetch(
    fake: FakeAuthServer, url: str, make_auth: list[Authenticator]
) -> None:
    clock = Clock()
    auth = authenticator(make_auth, client(url, clock, cooldown=0.3))
    await auth.authenticate(mint(OLD))
    clock.advance(0.35)  # past the cooldown of the first load
    fake.jwks = jwks_of(OLD, NEW)  # the server rotated in a new key
    fake.jwks_mode, fake.jwks_delay = "slow", 0.3  # so all 100 wait on the same fetch
    tokens = [mint(NEW, sid=f"s{i}") for i in range(100)]
    principals = await asyncio.gather(*(auth.authenticate(t) for t in tokens))
    assert [p.sid for p in principals] == [f"s{i}" for i in range(100)]
    assert fake.jwks_requests == 2  # the first load, then exactly one refetch


async def test_100_concurrent_made_up_kids_make_at_most_one_fetch(
    fake: FakeAuthServer, url: str, make_auth: list[Authenticator]
) -> None:
    clock = Clock()
    auth = authenticator(make_auth, client(url, clock, cooldown=2))
    await auth.authenticate(mint(OLD))
    clock.advance(2.05)  # past the cooldown of the first load
    stranger = Key.generate("EdDSA")
    results = await asyncio.gather(
        *(auth.authenticate(mint(stranger, sid=f"s{i}")) for i in range(100)),
        return_exceptions=True,
    )
    assert all(isinstance(r, InvalidTokenError) for r in results)
    assert fake.jwks_requests == 2
    with pytest.raises(InvalidTokenError):  # later ones inside the cooldown: no fetch at all
        await auth.authenticate(mint(stranger))
    assert fake.jwks_requests == 2


async def test_a_rotated_key_is_picked_up_after_the_cooldown(
    fake: FakeAuthServer, url: str, make_auth: list[Authenticator]
) -> None:
    clock = Clock()
    auth = authenticator(make_auth, client(url, clock, cooldown=0.4))
    await auth.authenticate(mint(OLD))
    fake.jwks = jwks_of(OLD, NEW)
    rotated = mint(NEW)
    with pytest.raises(InvalidTokenError):
        await auth.authenticate(rotated)
    assert fake.jwks_requests == 1  # inside the cooldown
    clock.advance(0.45)
    assert (await auth.authenticate(rotated)).sub == "user-1"
    assert fake.jwks_requests == 2


async def test_an_old_set_is_refreshed_in_the_background(
    fake: FakeAuthServer, url: str, make_auth: list[Authenticator]
) -> None:
    clock = Clock()
    jwks = client(url, clock, max_age=0.2, cooldown=0)
    auth = authenticator(make_auth, jwks)
    await auth.authenticate(mint(OLD))
    clock.advance(0.25)
    await auth.authenticate(mint(OLD, sid="other"))  # served from the old set at once
    for _ in range(100):
        if fake.jwks_requests == 2 and jwks._inflight is None:
            break
        await asyncio.sleep(0.02)
    assert fake.jwks_requests == 2


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://auth.example.com/.well-known/jwks.json", True),
        ("http://127.0.0.1:8000/.well-known/jwks.json", False),
        ("https://user:pw@auth.example.com/jwks.json", False),
        ("ftp://auth.example.com/jwks.json", True),
        ("/.well-known/jwks.json", True),
    ],
)
def test_only_https_or_allowed_loopback_urls(url: str, loopback: bool) -> None:
    with pytest.raises(ConfigError) as info:
        JWKSClient(url, allow_insecure_loopback=loopback)
    assert "example" not in str(info.value)
    assert "127" not in str(info.value)


def test_allowed_urls() -> None:
    assert JWKSClient("https://auth.example.com/jwks.json").url.startswith("https://")
    for host in ("127.0.0.1", "localhost", "[::1]"):
        JWKSClient(f"http://{host}:8000/jwks.json", allow_insecure_loopback=True)


async def test_urls_in_tokens_are_never_fetched(
    fake: FakeAuthServer, url: str, make_auth: list[Authenticator]
) -> None:
    elsewhere = FakeAuthServer(jwks=jwks_of(NEW))
    with running(elsewhere.app()) as other:
        auth = authenticator(make_auth, client(url, cooldown=0))
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "mallory",
            "sid": "s",
            "jti": "j",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        }
        for header in ("jku", "x5u"):
            token = encode(
                claims,
                NEW,
                headers={"typ": "at+jwt", "kid": NEW.kid, header: f"{other}/.well-known/jwks.json"},
            )
            with pytest.raises(InvalidTokenError):
                await auth.authenticate(token)
    assert elsewhere.jwks_requests == 0


async def test_redirects_are_not_followed(fake: FakeAuthServer, url: str) -> None:
    elsewhere = FakeAuthServer(jwks=jwks_of(NEW))
    with running(elsewhere.app()) as other:
        fake.jwks_mode, fake.redirect_to = "redirect", f"{other}/.well-known/jwks.json"
        jwks = client(url)
        with pytest.raises(ServiceUnavailableError):
            await jwks.key_set()
        await jwks.aclose()
    assert elsewhere.jwks_requests == 0


async def test_hmac_algorithms_are_refused_with_a_jwks() -> None:
    with pytest.raises(ConfigError):
        Authenticator(
            issuer=ISSUER,
            audience=AUDIENCE,
            jwks_url="https://auth.example.com/jwks.json",
            algorithms=["HS256"],
        )


async def test_a_failed_first_fetch_is_retried_with_backoff_not_after_a_cooldown(
    fake: FakeAuthServer, url: str
) -> None:
    """No keys to fall back on: 1 s, 2 s, 4 s … between attempts, capped by the cooldown."""
    clock = Clock()
    jwks = JWKSClient(url, allow_insecure_loopback=True, cooldown=30, clock=clock)
    fake.jwks_mode = "error"
    attempts = []
    for step in (0.0, 0.5, 0.6, 1.0, 1.5, 2.0, 4.0, 8.0, 30.0):
        clock.now += step
        with pytest.raises(ServiceUnavailableError):
            await jwks.key_set()
        attempts.append(jwks.fetches)
    # t=0 try; 0.5 no; 1.1 try (1 s); 2.1 no; 3.6 try (2 s); 5.6 no; 9.6 try (4 s); 17.6 try (8 s);
    # 47.6 try (16 s)
    assert attempts == [1, 1, 2, 2, 3, 3, 4, 5, 6]
    fake.jwks_mode = "ok"
    clock.now += 30
    assert len(await jwks.key_set()) == 1
    await jwks.aclose()


async def test_the_backoff_ends_at_the_cooldown(fake: FakeAuthServer, url: str) -> None:
    clock = Clock()
    jwks = JWKSClient(url, allow_insecure_loopback=True, cooldown=3, clock=clock)
    fake.jwks_mode = "error"
    for _ in range(6):
        clock.now += 3
        with pytest.raises(ServiceUnavailableError):
            await jwks.key_set()
    assert jwks.fetches == 6  # every 3 s, never more than the cooldown apart
    await jwks.aclose()


async def test_keys_gatepass_cannot_use_are_skipped_and_logged_once(
    fake: FakeAuthServer, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """RFC 7517 §5: a secp256k1 key or a short RSA key beside ours does not fail the set."""
    secp256k1 = {
        "kty": "EC",
        "crv": "secp256k1",
        "kid": "k1",
        "x": "gBNBUpD2ajpNEYVqm7DOcq-8nP5lCFS6qVoMtKVG6O8",
        "y": "aFNUKeIPjKMJkQeRJgIJdumkbpzbMlVlOo86BhbMfiI",
    }
    short_rsa = {"kty": "RSA", "kid": "r1", "n": "AQAB", "e": "AQAB"}
    ours: list[object] = KeySet([OLD.public_key()]).export_jwks()["keys"]
    fake.jwks = {"keys": [secp256k1, short_rsa, *ours]}
    clock = Clock()
    jwks = JWKSClient(url, allow_insecure_loopback=True, max_age=1, cooldown=0, clock=clock)
    with caplog.at_level(logging.WARNING, "gatepass.protect"):
        keys = await jwks.key_set()
        clock.now += 5
        await jwks.key_set()  # stale: refetched in the background
        await asyncio.sleep(0.1)
    assert [k.kid for k in keys] == [OLD.kid]
    assert fake.jwks_requests == 2
    skipped = [r for r in caplog.records if "skipped 2 key(s)" in r.getMessage()]
    assert len(skipped) == 1
    await jwks.aclose()


async def test_a_duplicated_keys_member_is_a_failed_fetch(fake: FakeAuthServer, url: str) -> None:
    """Two parsers could read two different key sets from one document: refuse it."""
    ours = orjson.dumps(jwks_of(OLD)["keys"])
    fake.jwks_mode = "raw"
    fake.jwks_body = b'{"keys":' + ours + b',"keys":' + ours + b"}"
    jwks = client(url)
    with pytest.raises(ServiceUnavailableError):
        await jwks.key_set()
    await jwks.aclose()
    fake.jwks_body = b'{"keys":' + ours + b"}"
    jwks = client(url)
    assert len(await jwks.key_set()) == 1  # the same keys, once: accepted
    await jwks.aclose()
