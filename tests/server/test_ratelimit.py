"""Login is rate limited per (account, IP), per account and per IP, with Retry-After."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from gatepass.settings import Settings
from tests.server.conftest import PASSWORD, Server, start
from tests.serving import serve

WRONG = "wrong password"


async def test_login_attempts_per_account_get_429_with_retry_after() -> None:
    settings = Settings(login_limit_per_account_ip=3, login_failure_window=60)
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


# --- the lockout cannot be turned on the account's owner ----------------------

ATTACKER, OWNER = "198.51.100.66", "203.0.113.7"
PROXY = ("127.0.0.1",)  # the in-process client's address: X-Forwarded-For is believed


class Sleeps:
    """Records the delays a login asked for, instead of sleeping."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


async def _login(server: Server, client_ip: str, password: str) -> httpx.Response:
    return await server.client.post(
        "/auth/login",
        json={"email": "ada@example.com", "password": password},
        headers={"X-Forwarded-For": client_ip},
    )


async def _codes(server: Server, client_ip: str, password: str, times: int) -> list[int]:
    return [(await _login(server, client_ip, password)).status_code for _ in range(times)]


async def test_thirty_wrong_passwords_from_one_ip_do_not_lock_the_owner_out() -> None:
    async for server in start(Settings(trusted_proxies=PROXY)):
        await server.register_and_login()
        assert await _codes(server, ATTACKER, WRONG, 30) == [401] * 10 + [429] * 20
        refused = await _login(server, ATTACKER, PASSWORD)  # even with the right password
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 900
        assert (await _login(server, OWNER, PASSWORD)).status_code == 200


async def test_successful_logins_are_not_counted() -> None:
    async for server in start(Settings(trusted_proxies=PROXY)):
        await server.register_and_login()
        assert await _codes(server, OWNER, PASSWORD, 15) == [200] * 15  # more than any limit


async def test_a_success_clears_that_clients_failures() -> None:
    async for server in start(Settings(trusted_proxies=PROXY)):
        await server.register_and_login()
        assert await _codes(server, OWNER, WRONG, 5) == [401] * 5
        assert (await _login(server, OWNER, PASSWORD)).status_code == 200
        # Counted from zero again: ten more failures before a refusal.
        assert await _codes(server, OWNER, WRONG, 11) == [401] * 10 + [429]


async def test_concurrent_guesses_cannot_slip_under_the_limit_together() -> None:
    async for server in start(Settings(login_limit_per_ip=1000, trusted_proxies=PROXY)):
        await server.register_and_login()
        replies = await asyncio.gather(*(_login(server, ATTACKER, WRONG) for _ in range(25)))
        codes = sorted(reply.status_code for reply in replies)
        assert codes == [401] * 10 + [429] * 15


async def test_over_the_account_limit_a_fresh_ip_is_delayed_but_logs_in() -> None:
    sleeps = Sleeps()
    settings = Settings(login_limit_per_account=5, login_delay_max=2.0, trusted_proxies=PROXY)
    async for server in start(settings, sleep=sleeps):
        await server.register_and_login()
        for i in range(5):  # five failures from five addresses: the account's limit
            assert await _codes(server, f"198.51.100.{i}", WRONG, 1) == [401]
        assert sleeps.seconds == []
        assert (await _login(server, OWNER, PASSWORD)).status_code == 200
        assert sleeps.seconds == [1.0]
        # An address that failed on the account is refused now, right password or not.
        refused = await _login(server, "198.51.100.0", PASSWORD)
        assert refused.status_code == 429
        assert refused.json()["error"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
        # Each fresh address gets one slow guess, slower as failures add up, up to the bound.
        for i in range(10, 17):
            assert await _codes(server, f"198.51.100.{i}", WRONG, 2) == [401, 429]
        assert sleeps.seconds == [1.0, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.0]
        # The owner's success did not reset the account's count: still slowed, still let in.
        assert (await _login(server, OWNER, PASSWORD)).status_code == 200
        assert sleeps.seconds[-1] == 2.0


async def test_the_per_ip_limit_across_accounts_remains() -> None:
    async for server in start(Settings(login_limit_per_ip=4, trusted_proxies=PROXY)):
        codes = []
        for i in range(5):
            reply = await server.client.post(
                "/auth/login",
                json={"email": f"user{i}@example.com", "password": WRONG},
                headers={"X-Forwarded-For": ATTACKER},
            )
            codes.append(reply.status_code)
        assert codes == [401, 401, 401, 401, 429]
        other = await server.client.post(
            "/auth/login",
            json={"email": "user0@example.com", "password": WRONG},
            headers={"X-Forwarded-For": OWNER},
        )
        assert other.status_code == 401


def test_served_thirty_wrong_passwords_from_one_ip_do_not_lock_the_owner_out(
    tmp_path: Path,
) -> None:
    env = {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gatepass.db'}",
        "GATEPASS_TRUSTED_PROXIES": "127.0.0.1",
    }
    creds = {"email": "ada@example.com", "password": PASSWORD}
    with serve(env, tmp_path) as served, httpx.Client(base_url=served.url, timeout=15) as client:
        assert client.post("/auth/register", json=creds).status_code == 201

        def login(client_ip: str, password: str) -> int:
            reply = client.post(
                "/auth/login",
                json={**creds, "password": password},
                headers={"X-Forwarded-For": client_ip},
            )
            return reply.status_code

        assert [login(ATTACKER, WRONG) for _ in range(30)] == [401] * 10 + [429] * 20
        assert login(ATTACKER, PASSWORD) == 429
        assert login(OWNER, PASSWORD) == 200
