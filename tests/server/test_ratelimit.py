"""Login is rate limited per account and per IP, with Retry-After."""

from __future__ import annotations

from gatepass.settings import Settings
from tests.server.conftest import start


async def test_login_attempts_per_account_get_429_with_retry_after() -> None:
    settings = Settings(login_limit_per_account=3, rate_limit_window=60)
    async for server in start(settings):
        wrong = {"email": "ada@example.com", "password": "wrong password"}
        codes = [
            (await server.client.post("/auth/login", json=wrong)).status_code for _ in range(3)
        ]
        assert codes == [401, 401, 401]
        blocked = await server.client.post("/auth/login", json=wrong)
        assert blocked.status_code == 429
        assert blocked.json()["error"] == "rate_limited"
        retry = int(blocked.headers["retry-after"])
        assert 1 <= retry <= 60
        # Another account from the same client is not locked by this one.
        other = await server.client.post(
            "/auth/login", json={"email": "bob@example.com", "password": "wrong password"}
        )
        assert other.status_code == 401


async def test_login_attempts_per_ip() -> None:
    settings = Settings(login_limit_per_ip=4, login_limit_per_account=100, rate_limit_window=60)
    async for server in start(settings):
        codes = []
        for i in range(5):
            body = {"email": f"user{i}@example.com", "password": "wrong password"}
            codes.append((await server.client.post("/auth/login", json=body)).status_code)
        assert codes == [401, 401, 401, 401, 429]
