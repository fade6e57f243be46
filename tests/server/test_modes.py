"""HS256 with a configured secret, and equal login timing for unknown users."""

from __future__ import annotations

import secrets
import statistics
import time

from gatepass.jose import decode, decode_unverified
from gatepass.settings import Secret, Settings
from tests.server.conftest import PASSWORD, start


async def test_jwt_secret_switches_to_hs256_as_in_the_guide() -> None:
    secret = secrets.token_urlsafe(32)
    async for server in start(Settings(jwt_secret=Secret(secret))):
        tokens = await server.register_and_login()
        header, _ = decode_unverified(tokens["access_token"])
        assert header["alg"] == "HS256"
        claims = decode(
            tokens["access_token"],
            secret,
            algorithms=["HS256"],
            audience=server.settings.audience,
            issuer=server.settings.issuer,
        )
        assert claims["email"] == "ada@example.com"
        jwks = (await server.client.get("/.well-known/jwks.json")).json()
        assert jwks == {"keys": []}


async def test_unknown_email_costs_the_same_as_a_wrong_password() -> None:
    settings = Settings(login_limit_per_account_ip=1000, login_limit_per_ip=1000)
    async for server in start(settings):
        await server.register_and_login()
        known: list[float] = []
        unknown: list[float] = []
        pairs = [("ada@example.com", known), ("ghost@example.com", unknown)]
        for round_ in range(20):  # interleaved, each first in turn: noise hits both alike
            for email, sink in pairs if round_ % 2 else pairs[::-1]:
                started = time.perf_counter()
                reply = await server.client.post(
                    "/auth/login", json={"email": email, "password": PASSWORD + "x"}
                )
                sink.append(time.perf_counter() - started)
                assert reply.status_code == 401
        ratio = statistics.median(unknown) / statistics.median(known)
        assert 0.8 <= ratio <= 1.2, f"unknown/known median login time ratio {ratio:.2f}"
