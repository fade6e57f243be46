"""A FastAPI route guarded by gatepass.protect, beside no auth and a PyJWT dependency.

    .venv/bin/python bench/protect_bench.py [--seconds 3] [--rounds 3] [--concurrency 32]

Every app (bench/protect_apps.py) runs in its own uvicorn process (one
worker) on 127.0.0.1; the load generator is ``wrk`` (``apt-get install -y
wrk``; without it an httpx client is used, which saturates a core first and
understates every app). Contenders are measured in interleaved rounds and
each keeps its best round, so ratios are comparable on a noisy machine;
absolute numbers are not. Every request carries the same Ed25519 access token,
as a client does for its token's lifetime: gatepass answers it from its
verified-token cache, so the cache-off row shows the cost of a signature
check per request. Any non-2xx answer aborts the run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from server_bench import _httpx_load, _wrk, launch  # the same launcher and wrk driver

from gatepass.jose import Key, KeySet
from gatepass.protect import Authenticator
from gatepass.tokens.access import AccessTokenIssuer

HERE = Path(__file__).resolve().parent
ISSUER, AUDIENCE = "https://auth.bench.test", "gatepass"


@dataclass
class Contender:
    name: str
    factory: str
    base: str = ""
    process: subprocess.Popen[bytes] | None = None


CONTENDERS = (
    Contender("no auth", "open_app"),
    Contender("gatepass Depends(auth)", "gatepass_dependency_app"),
    Contender("gatepass GatepassMiddleware", "gatepass_middleware_app"),
    Contender("gatepass Depends(auth), cache off", "gatepass_nocache_app"),
    Contender("PyJWT dependency (prepared key)", "pyjwt_app"),
    Contender("Starlette, no auth", "starlette_open_app"),
    Contender("Starlette + GatepassMiddleware", "starlette_middleware_app"),
)


def _start(c: Contender, env: dict[str, str]) -> None:
    c.process, c.base = launch(f"protect_apps:{c.factory}", env)


def _rate(c: Contender, token: str, seconds: float, concurrency: int) -> float:
    url = f"{c.base}/dashboard"
    if shutil.which("wrk"):
        return _wrk(url, token, seconds, concurrency)
    return asyncio.run(_httpx_load(url, token, seconds, concurrency))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    key = Key.generate("EdDSA")
    env = {"BENCH_JWK": orjson.dumps(key.export_jwk(private=True)).decode()}
    token, _ = AccessTokenIssuer(ISSUER, AUDIENCE, 3600).issue(
        key, user_id="u1", email="ada@example.com", role="user", session_id="s1", now=time.time()
    )
    print("load generator:", "wrk" if shutil.which("wrk") else "httpx (install wrk)")
    try:
        for c in CONTENDERS:
            _start(c, env)
            reply = httpx.get(f"{c.base}/dashboard", headers={"Authorization": f"Bearer {token}"})
            if reply.status_code != 200:
                raise RuntimeError(f"{c.name}: {reply.status_code} {reply.text}")
        best = dict.fromkeys((c.name for c in CONTENDERS), 0.0)
        for _ in range(args.rounds):
            for c in CONTENDERS:
                best[c.name] = max(best[c.name], _rate(c, token, args.seconds, args.concurrency))
    finally:
        for c in CONTENDERS:
            if c.process is not None:
                c.process.terminate()
                c.process.wait(10)
    pyjwt_rate = best["PyJWT dependency (prepared key)"]
    ceiling = best["no auth"]
    print(
        f"\nGET /dashboard, EdDSA access token, best of {args.rounds} rounds x "
        f"{args.seconds:.0f} s, {args.concurrency} connections, one uvicorn worker each:\n"
    )
    print(f"{'contender':<38} {'req/s':>9} {'vs no auth':>11} {'vs PyJWT':>9}")
    for c in CONTENDERS:
        rate = best[c.name]
        print(f"{c.name:<38} {rate:>9.0f} {rate / ceiling:>10.2f}x {rate / pyjwt_rate:>8.2f}x")
    bare, guarded = best["Starlette, no auth"], best["Starlette + GatepassMiddleware"]
    overhead = 1 / guarded - 1 / bare  # seconds per request the middleware adds
    print(
        f"\nGatepassMiddleware overhead under wrk: {overhead * 1e6:.0f} µs/request = "
        f"{overhead * bare:.1%} of a bare Starlette endpoint's cost (noisy: two processes)"
    )
    added = asyncio.run(_middleware_cost(env, token))
    print(
        f"GatepassMiddleware overhead in process (ASGI calls, interleaved, best of 40): "
        f"{added:.1f} µs = {added * 1e-6 * bare:.1%} of a bare Starlette endpoint's "
        f"cost under wrk (target <= 10%)"
    )
    _verify_costs()


async def _middleware_cost(env: dict[str, str], token: str) -> float:
    """µs the middleware adds to one request, with no server or client in the way."""
    os.environ.update(env)
    import protect_apps  # reads BENCH_JWK when an app is built

    bare, guarded = protect_apps.starlette_open_app(), protect_apps.starlette_middleware_app()
    await guarded.authenticator.start()
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    scope: dict[str, object] = {"type": "http", "method": "GET", "path": "/dashboard"}
    scope |= {"headers": headers, "query_string": b"", "root_path": "", "scheme": "http"}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: object) -> None:
        return None

    async def batch(app: object, n: int = 500) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await app(dict(scope), receive, send)  # type: ignore[operator]
        return (time.perf_counter() - started) / n * 1e6

    best = {"bare": float("inf"), "guarded": float("inf")}
    for _ in range(40):
        best["bare"] = min(best["bare"], await batch(bare))
        best["guarded"] = min(best["guarded"], await batch(guarded))
    await guarded.authenticator.close()
    return best["guarded"] - best["bare"]


def _verify_costs() -> None:
    """``await auth.authenticate(token)`` in-process, with and without the cache."""
    secret = "bench-" + "k3y-" * 12
    print(f"\n{'authenticate() µs/op (best of 7 x 2000)':<42} {'cached':>8} {'no cache':>9}")
    verdicts = []
    for alg in ("HS256", "EdDSA"):
        key = Key.from_secret(secret, kid="hs256") if alg == "HS256" else Key.generate("EdDSA")
        token, _ = AccessTokenIssuer(ISSUER, AUDIENCE, 3600).issue(
            key, user_id="u1", email="a@example.com", role="user", session_id="s", now=time.time()
        )
        costs = [
            asyncio.run(_authenticate_cost(alg, key, secret, token, size)) for size in (10_000, 0)
        ]
        print(f"  {alg:<40} {costs[0]:>8.2f} {costs[1]:>9.2f}")
        verdicts.append(f"{alg} {costs[0]:.2f} µs {'PASS' if costs[0] <= 2 else 'FAIL'}")
    print(f"cached verify <= 2 µs: {', '.join(verdicts)}")


async def _authenticate_cost(alg: str, key: Key, secret: str, token: str, cache: int) -> float:
    if alg == "HS256":
        auth = Authenticator(issuer=ISSUER, audience=AUDIENCE, secret=secret, cache_size=cache)
    else:
        keys = KeySet([key.public_key()])
        auth = Authenticator(issuer=ISSUER, audience=AUDIENCE, keys=keys, cache_size=cache)
    async with auth:
        await auth.authenticate(token)
        best = float("inf")
        for _ in range(7):
            started = time.perf_counter()
            for _ in range(2000):
                await auth.authenticate(token)
            best = min(best, (time.perf_counter() - started) / 2000)
    return best * 1e6


if __name__ == "__main__":
    main()
