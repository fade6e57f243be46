"""Revocations reach a resource server within 1 s: the feed, Redis pub/sub, and the fallback."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import orjson
import pytest
from redis.asyncio import Redis

from gatepass.errors import ConfigError, InvalidTokenError
from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator, JWKSClient, RevocationSync
from gatepass.revocation.wire import entry_to_json
from gatepass.server import create_app
from gatepass.settings import Secret, Settings
from gatepass.store import open_store
from gatepass.store.records import Revocation
from tests.protect.helpers import (
    AUDIENCE,
    FEED_TOKEN,
    ISSUER,
    FakeAuthServer,
    eventually,
    free_port,
    mint,
    running,
)
from tests.services import redis_url, unique

KEY = Key.generate("EdDSA")
PASSWORD = "correct horse battery"


@pytest.fixture
def fake() -> FakeAuthServer:
    return FakeAuthServer()


@pytest.fixture
def base(fake: FakeAuthServer) -> Iterator[str]:
    with running(fake.app()) as url:
        yield url


def protected(sync: RevocationSync) -> Authenticator:
    return Authenticator(
        issuer=ISSUER, audience=AUDIENCE, keys=KeySet([KEY.public_key()]), revocations=sync
    )


def feed_sync(base: str, **options: object) -> RevocationSync:
    return RevocationSync(
        auth_url=base,
        feed_token=FEED_TOKEN,
        allow_insecure_loopback=True,
        **options,  # type: ignore[arg-type]
    )


async def refused(auth: Authenticator, token: str) -> bool:
    try:
        await auth.authenticate(token)
    except InvalidTokenError:
        return True
    return False


async def test_a_revoked_session_is_refused_within_a_second_by_polling(
    fake: FakeAuthServer, base: str
) -> None:
    async with protected(feed_sync(base)) as auth:
        token = mint(KEY, sid="s-1")
        other = mint(KEY, sid="s-2")
        await auth.authenticate(token)
        fake.revoke("session", "s-1")
        took = await eventually(lambda: refused(auth, token), within=1.0)
        assert took < 1.0
        assert (await auth.authenticate(other)).sid == "s-2"


async def test_start_reads_the_feed_to_its_end(fake: FakeAuthServer, base: str) -> None:
    for i in range(2500):  # three pages
        fake.revoke("jti", f"j{i}")
    fake.revoke("user", "user-1")
    async with protected(feed_sync(base)) as auth:
        assert auth.revocations is not None
        with pytest.raises(InvalidTokenError):
            await auth.authenticate(mint(KEY, now=time.time() - 5))
        assert len(auth.revocations.revoked) == 2501  # type: ignore[attr-defined]


async def test_a_failing_feed_is_logged_once_and_recovered_from(
    fake: FakeAuthServer, base: str, caplog: pytest.LogCaptureFixture
) -> None:
    sync = RevocationSync(
        auth_url=base, feed_token="wrong", allow_insecure_loopback=True, poll_interval=0.05
    )
    with caplog.at_level(logging.WARNING, "gatepass.protect"):
        async with protected(sync):
            await eventually(lambda: _true(fake.feed_requests >= 5), within=2)
            sync._feed_token = FEED_TOKEN
            fake.revoke("session", "s-1")
            await eventually(lambda: _true(len(sync.revoked) == 1), within=1)
    assert caplog.text.count("revocation feed unreachable (HTTP status 401)") == 1
    assert caplog.text.count("revocation feed reachable again") == 1
    assert FEED_TOKEN not in caplog.text


async def _true(value: bool) -> bool:
    return value


async def test_expired_entries_are_purged(fake: FakeAuthServer, base: str) -> None:
    fake.revoke("session", "s-old", ttl=0.2)
    sync = feed_sync(base, purge_interval=0.1)
    async with protected(sync):
        assert len(sync.revoked) == 1
        await eventually(lambda: _true(len(sync.revoked) == 0), within=1)


def test_sync_configuration_is_checked() -> None:
    with pytest.raises(ConfigError):
        RevocationSync()
    with pytest.raises(ConfigError):
        RevocationSync(auth_url="https://auth.example.com")  # no feed token
    with pytest.raises(ConfigError):
        RevocationSync(auth_url="http://auth.example.com", feed_token="t")


# -- Redis ------------------------------------------------------------------------------


@pytest.fixture
def redis() -> tuple[str, str]:
    """The test Redis and a channel no other run uses."""
    return redis_url(), unique("gp_protect") + ":revocations"


@pytest.mark.redis
async def test_a_revocation_pushed_on_redis_is_refused_within_a_second(
    redis: tuple[str, str],
) -> None:
    url, channel = redis
    sync = RevocationSync(redis_url=url, channel=channel)
    async with protected(sync) as auth:
        await eventually(lambda: _true(sync.redis_connected), within=5)
        token = mint(KEY, sid="s-redis")
        await auth.authenticate(token)
        now = time.time()
        entry = Revocation(7, "session", "s-redis", now, now, now + 900)
        async with Redis.from_url(url) as client:
            started = time.monotonic()
            assert await client.publish(channel, orjson.dumps(entry_to_json(entry))) == 1
            await client.publish(channel, b"not json")  # ignored, logged
            await eventually(lambda: refused(auth, token), within=1.0)
            assert time.monotonic() - started < 1.0


async def test_redis_down_falls_back_to_the_feed_and_says_so_once(
    fake: FakeAuthServer, base: str, caplog: pytest.LogCaptureFixture
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    waits: list[float] = []

    async def backoff(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0.01)

    sync = feed_sync(base, redis_url=down, max_backoff=0.05, timeout=0.5, sleep=backoff)
    with caplog.at_level(logging.WARNING, "gatepass.protect"):
        async with protected(sync) as auth:
            token = mint(KEY, sid="s-1")
            await auth.authenticate(token)
            await eventually(lambda: _true(len(waits) >= 5), within=2.0)  # several reconnects
            assert waits[:5] == [0.05] * 5  # max_backoff caps the first wait too
            fake.revoke("session", "s-1")
            await eventually(lambda: refused(auth, token), within=1.0)
    assert caplog.text.count("Redis unreachable for revocations") == 1
    assert "polling the feed every 0.5 s" in caplog.text


# -- the real auth server -------------------------------------------------------------


@pytest.fixture
async def auth_server(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    feed_token = secrets.token_urlsafe(32)
    options: dict[str, object] = {}
    if getattr(request, "param", None) == "redis":
        options = {"redis_url": redis_url(), "redis_key_prefix": unique("gp_protect")}
    settings = Settings(revocation_feed_token=Secret(feed_token), **options)  # type: ignore[arg-type]
    store = open_store("memory://")
    app = create_app(settings, store=store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.issuer) as client:
            yield client, settings
    await store.close()


async def login(client: httpx.AsyncClient) -> str:
    creds = {"email": "ada@example.com", "password": PASSWORD}
    assert (await client.post("/auth/register", json=creds)).status_code == 201
    reply = await client.post("/auth/login", json=creds)
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


def server_protected(
    client: httpx.AsyncClient, settings: Settings, sync: RevocationSync
) -> Authenticator:
    jwks = JWKSClient(
        f"{settings.issuer}/.well-known/jwks.json", allow_insecure_loopback=True, http=client
    )
    return Authenticator(
        issuer=settings.issuer, audience=settings.audience, jwks_client=jwks, revocations=sync
    )


async def test_a_logout_on_the_real_server_reaches_protect_through_its_feed(
    auth_server: tuple[httpx.AsyncClient, Settings],
) -> None:
    client, settings = auth_server
    assert settings.revocation_feed_token is not None
    sync = RevocationSync(
        auth_url=settings.issuer,
        feed_token=settings.revocation_feed_token.get(),
        allow_insecure_loopback=True,
        http=client,
    )
    async with server_protected(client, settings, sync) as auth:
        token = await login(client)
        assert (await auth.authenticate(token)).email == "ada@example.com"
        reply = await client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 204
        await eventually(lambda: refused(auth, token), within=1.0)


@pytest.mark.redis
@pytest.mark.parametrize("auth_server", ["redis"], indirect=True)
async def test_a_logout_on_the_real_server_reaches_protect_through_redis(
    auth_server: tuple[httpx.AsyncClient, Settings],
) -> None:
    client, settings = auth_server
    sync = RevocationSync(
        redis_url=settings.redis_url, channel=f"{settings.redis_key_prefix}:revocations"
    )
    async with server_protected(client, settings, sync) as auth:
        await eventually(lambda: _true(sync.redis_connected), within=5)
        token = await login(client)
        await auth.authenticate(token)
        reply = await client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 204
        await eventually(lambda: refused(auth, token), within=1.0)
