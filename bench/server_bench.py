"""The auth server under bounded load on loopback, beside reference apps.

    .venv/bin/python bench/server_bench.py [--seconds 5]

Each app runs in its own uvicorn process on 127.0.0.1; one async client
drives /dashboard with a fixed concurrency for a fixed time (and at most
--max-requests). Also: refresh rotations/s through the store on SQLite and,
when GATEPASS_TEST_DATABASE_URL is set, PostgreSQL. Two cores are shared by
client and server, so read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import jwt as pyjwt

from gatepass.store import open_store
from gatepass.store.records import hash_token
from gatepass.tokens.refresh import RotationPolicy, new_refresh_token

HERE = Path(__file__).resolve().parent
PASSWORD = "correct horse battery"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--factory",
            "--app-dir",
            str(HERE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/dashboard", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


async def _load(
    base: str, headers: dict[str, str], seconds: float, cap: int, workers: int
) -> float:
    done = 0
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, headers=headers) as client:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < stop and done < cap:
                reply = await client.get("/dashboard")
                assert reply.status_code == 200, reply.text
                done += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(workers)))
        return done / (time.monotonic() - started)


def _gatepass_token(base: str) -> str:
    creds = {"email": "ada@example.com", "password": PASSWORD}
    httpx.post(f"{base}/auth/register", json=creds, timeout=10)
    token: str = httpx.post(f"{base}/auth/login", json=creds, timeout=10).json()["access_token"]
    return token


async def _rotations(url: str, count: int) -> float:
    store = open_store(url)
    await store.migrate()
    policy = RotationPolicy(refresh_ttl=3600, grace=10, access_ttl=900)
    user = await store.create_user(
        f"bench-{secrets.token_hex(4)}@example.com", "x", now=time.time()
    )
    session = await store.create_session(user.id, now=time.time(), expires_at=time.time() + 86400)
    raw = new_refresh_token()
    await store.add_refresh_token(
        session.id, hash_token(raw), now=time.time(), expires_at=time.time() + 3600
    )
    started = time.monotonic()
    for _ in range(count):
        successor = new_refresh_token()
        await store.rotate_refresh(hash_token(raw), time.time(), policy.rule(raw, successor))
        raw = successor
    rate = count / (time.monotonic() - started)
    await store.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    secret = secrets.token_urlsafe(32)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        apps = {
            "no auth": ("server_apps:plain_app", {}),
            "FastAPI + PyJWT + HTTPBearer": ("server_apps:pyjwt_app", {"BENCH_SECRET": secret}),
            "gatepass (EdDSA)": (
                "gatepass.server:create_app",
                {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db"},
            ),
        }
        for name, (target, env) in apps.items():
            process, base = _serve(target, env)
            try:
                if target.startswith("gatepass"):
                    token = _gatepass_token(base)
                else:
                    token = pyjwt.encode(
                        {"email": "ada@example.com", "exp": int(time.time()) + 600}, secret, "HS256"
                    )
                headers = {"Authorization": f"Bearer {token}"}
                results[name] = asyncio.run(
                    _load(base, headers, args.seconds, args.max_requests, args.concurrency)
                )
            finally:
                process.terminate()
                process.wait(timeout=10)
        print(f"/dashboard requests/s ({args.seconds:.0f} s, {args.concurrency} concurrent):")
        for name, rate in results.items():
            print(f"  {name:32s} {rate:8.0f}")
        gp = results["gatepass (EdDSA)"]
        print(f"  auth overhead vs no auth: {1 - gp / results['no auth']:.0%} (target <= 15%)")
        reference = results["FastAPI + PyJWT + HTTPBearer"]
        print(f"  gatepass / PyJWT reference: {gp / reference:.2f}x (target >= 1.5x)")
        rotations = {"SQLite": f"sqlite+aiosqlite:///{tmp}/rot.db"}
        if os.environ.get("GATEPASS_TEST_DATABASE_URL"):
            rotations["PostgreSQL"] = os.environ["GATEPASS_TEST_DATABASE_URL"]
        for name, url in rotations.items():
            print(f"refresh rotations/s on {name}: {asyncio.run(_rotations(url, 300)):.0f}")


if __name__ == "__main__":
    main()
