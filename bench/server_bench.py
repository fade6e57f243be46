"""The auth server under bounded load on loopback, beside reference apps.

    .venv/bin/python bench/server_bench.py [--seconds 3] [--rounds 3]

Every app runs in its own uvicorn process (one worker) on 127.0.0.1, all
started up front; the load generator is ``wrk`` (``apt-get install -y wrk``;
without it an httpx client is used, which saturates a core first and
understates every app). Contenders are measured in interleaved rounds and each
keeps its best round, so ratios are comparable even on a noisy machine;
absolute numbers are not. Any non-2xx answer aborts the run.

Also measured: logins/s through HTTP (Argon2id at its configured cost) and
refresh rotations/s through the store on SQLite and, when
GATEPASS_TEST_DATABASE_URL is set, PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt as pyjwt

from gatepass.store import open_store
from gatepass.store.records import hash_token
from gatepass.tokens.refresh import RotationPolicy, new_refresh_token

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parent / "tests" / "interop" / "node_modules"
PASSWORD = "correct horse battery"
CREDS = {"email": "ada@example.com", "password": PASSWORD}
NO_LIMITS = {
    "GATEPASS_LOGIN_LIMIT_PER_ACCOUNT_IP": "1000000",
    "GATEPASS_LOGIN_LIMIT_PER_ACCOUNT": "1000000",
    "GATEPASS_LOGIN_LIMIT_PER_IP": "1000000",
    "GATEPASS_REGISTER_LIMIT_PER_IP": "1000000",
    "GATEPASS_REFRESH_LIMIT_PER_IP": "1000000",
}


@dataclass
class Contender:
    name: str
    target: str
    path: str
    env: dict[str, str]
    base: str = ""
    token: str | None = None
    process: subprocess.Popen[bytes] | None = None


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command(target: str, port: int) -> list[str]:
    """``uvicorn <target> --factory`` (one worker, no access log); ``serve:<server>``
    is ``gatepass serve --server <server>`` (one worker; ``serve:`` its default);
    ``granian:<target>`` granian as ``gatepass serve`` runs it; ``node:<script>``
    a node script."""
    kind, _, name = target.partition(":")
    if kind == "serve":
        gatepass = str(Path(sys.executable).with_name("gatepass"))
        server = ["--server", name] if name else []  # "serve:": its default server
        return [gatepass, "serve", *server, "--host", "127.0.0.1", "--port", str(port)]
    if kind == "node":
        return ["node", str(HERE / name), str(port)]
    if kind == "granian":  # as gatepass serve runs granian: HTTP/1, no WebSocket
        return [
            *(str(Path(sys.executable).with_name("granian")), "--interface", "asgi"),
            *("--http", "1", "--no-ws", "--factory", "--working-dir", str(HERE)),
            *("--host", "127.0.0.1", "--port", str(port), "--backpressure", "4096"),
            *("--log-level", "warning", name),
        ]
    return [
        *(sys.executable, "-m", "uvicorn", target, "--factory", "--app-dir", str(HERE)),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--log-level", "warning", "--no-access-log"),
    ]


def launch(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """``target`` (see ``_command``) on a free loopback port, answering within
    30 s; returns the process and its base URL."""
    port = _port()
    process = subprocess.Popen(
        _command(target, port),
        env={**os.environ, "GATEPASS_LOG_LEVEL": "warning", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/openapi.json", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def _start(c: Contender) -> None:
    c.process, c.base = launch(c.target, c.env)


def _gatepass_token(base: str) -> str:
    httpx.post(f"{base}/auth/register", json=CREDS, timeout=30)
    reply = httpx.post(f"{base}/auth/login", json=CREDS, timeout=30)
    reply.raise_for_status()
    token: str = reply.json()["access_token"]
    return token


def _wrk(
    url: str,
    token: str | None,
    seconds: float,
    concurrency: int,
    *,
    threads: int = 1,
    script: tuple[str, ...] = (),
) -> float:
    """Requests/s of ``wrk`` on ``url``; ``script`` is a Lua file and its arguments."""
    command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds:.0f}s", "--timeout", "5s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script[0], url, "--", *script[1:]]
    else:
        command.append(url)
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad or "Socket errors" in out:
        raise RuntimeError(f"{url}: errors under load\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"unexpected wrk output\n{out}")
    return float(found.group(1))


async def _httpx_load(url: str, token: str | None, seconds: float, concurrency: int) -> float:
    done, stop = 0, time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(headers=headers) as client:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < stop and done < 100_000:
                reply = await client.get(url)
                assert reply.status_code == 200, reply.status_code
                done += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.monotonic() - started)


def _rate(c: Contender, seconds: float, concurrency: int) -> float:
    url = c.base + c.path
    if shutil.which("wrk"):
        return _wrk(url, c.token, seconds, concurrency)
    return asyncio.run(_httpx_load(url, c.token, seconds, concurrency))


async def _logins(base: str, count: int, concurrency: int) -> float:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        left = count

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                reply = await client.post("/auth/login", json=CREDS)
                assert reply.status_code == 200, reply.status_code

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.monotonic() - started)


async def _rotations(url: str, count: int) -> float:
    store = open_store(url)
    await store.migrate()
    policy = RotationPolicy(refresh_ttl=3600, grace=10, access_ttl=900)
    now = time.time()
    user = await store.create_user(f"bench-{secrets.token_hex(4)}@example.com", "x", now=now)
    session = await store.create_session(user.id, now=now, expires_at=now + 86400)
    raw = new_refresh_token()
    await store.add_refresh_token(session.id, hash_token(raw), now=now, expires_at=now + 3600)
    started = time.monotonic()
    for _ in range(count):
        successor = new_refresh_token()
        await store.rotate_refresh(hash_token(raw), time.time(), policy.rule(raw, successor))
        raw = successor
    rate = count / (time.monotonic() - started)
    await store.close()
    return rate


def _contenders(tmp: str, secret: str) -> list[Contender]:
    def db(name: str) -> dict[str, str]:
        return {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/{name}.db", **NO_LIMITS}

    hs256 = {**db("hs"), "GATEPASS_JWT_SECRET": secret}
    return [
        Contender(
            "gatepass app, route without auth", "server_apps:gatepass_open_app", "/open", db("open")
        ),
        Contender(
            "gatepass /dashboard, ES256 (default)",
            "gatepass.server:create_app",
            "/dashboard",
            db("es"),
        ),
        Contender("gatepass /dashboard, HS256", "gatepass.server:create_app", "/dashboard", hs256),
        Contender("bare FastAPI, no auth", "server_apps:plain_app", "/dashboard", {}),
        Contender(
            "FastAPI + HTTPBearer + PyJWT HS256",
            "server_apps:pyjwt_app",
            "/dashboard",
            {"BENCH_SECRET": secret},
        ),
        Contender(
            "gatepass serve (granian) /dashboard, ES256", "serve:granian", "/dashboard", db("g")
        ),
        Contender(
            "node:http + jsonwebtoken HS256 (no express)",
            "node:node_dashboard.mjs",
            "/dashboard",
            {"BENCH_SECRET": secret, "BENCH_NODE_MODULES": str(NODE_MODULES)},
        ),
    ]


def _report(best: dict[str, float], names: list[str], args: argparse.Namespace) -> None:
    print(
        f"/dashboard requests/s (best of {args.rounds} rounds of {args.seconds:.0f} s, "
        f"{args.concurrency} connections, one worker each, uvicorn unless named):"
    )
    for name in names:
        print(f"  {name:45s} {best[name]:8.0f}")
    open_route, bare, pyjwt_ref = best[names[0]], best[names[3]], best[names[4]]
    print(f"  gatepass route without auth / bare FastAPI: {open_route / bare:.2f} (target >= 0.95)")
    for name in names[1:3]:
        rate = best[name]
        print(
            f"  {name}: auth overhead {1 - rate / open_route:.0%} (target <= 15%), "
            f"{rate / pyjwt_ref:.2f}x the PyJWT reference (target >= 1.5x)"
        )
    if len(names) > 6:
        node, served = best[names[6]], best[names[5]]
        print(
            f"  gatepass serve /dashboard / node:http + jsonwebtoken: {served / node:.2f}x "
            "(issue 18: >= 10x the guide's express server, which has express's routing on top)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--logins", type=int, default=40)
    args = parser.parse_args()
    secret = secrets.token_urlsafe(32)
    print(
        "load generator:", "wrk" if shutil.which("wrk") else "httpx (install wrk for real numbers)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        contenders = _contenders(tmp, secret)
        if not (shutil.which("node") and (NODE_MODULES / "jsonwebtoken").is_dir()):
            contenders.pop()  # the node reference needs tests/interop's npm packages
        exp = int(time.time()) + 3600
        reference_token = pyjwt.encode({"email": "ada@example.com", "exp": exp}, secret, "HS256")
        best: dict[str, float] = {}
        try:
            for c in contenders:
                _start(c)
                if c.target.startswith(("gatepass", "serve:")):
                    c.token = _gatepass_token(c.base)
                elif c.name != "bare FastAPI, no auth":
                    c.token = reference_token
            for _ in range(args.rounds):
                for c in contenders:
                    rate = _rate(c, args.seconds, args.concurrency)
                    best[c.name] = max(best.get(c.name, 0.0), rate)
            logins = asyncio.run(_logins(contenders[1].base, args.logins, 4))
        finally:
            for c in contenders:
                if c.process is not None:
                    c.process.terminate()
                    c.process.wait(timeout=10)
        _report(best, [c.name for c in contenders], args)
        print(f"logins/s (Argon2id, 4 concurrent clients): {logins:.1f}")
        rotations = {"SQLite": f"sqlite+aiosqlite:///{tmp}/rot.db"}
        if os.environ.get("GATEPASS_TEST_DATABASE_URL"):
            rotations["PostgreSQL"] = os.environ["GATEPASS_TEST_DATABASE_URL"]
        for name, url in rotations.items():
            print(f"refresh rotations/s on {name}: {asyncio.run(_rotations(url, 300)):.0f}")


if __name__ == "__main__":
    main()
