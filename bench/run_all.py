"""Every issue-18 target side by side in one run, printed as one table.

    .venv/bin/python bench/run_all.py [--seconds 3] [--rounds 2] [--concurrency 32]
    .venv/bin/python bench/run_all.py --smoke   # tests/test_benches.py: tiny, no verdict

One run, one machine: each contender is its own process on 127.0.0.1, all
started up front, and measured with ``wrk`` (``apt-get install -y wrk``) in
interleaved rounds, each keeping its best round; the ratios are taken between
rates of the same run. Contenders (one process, one worker each):

- the guide's express + jsonwebtoken server as written (``bench/guide_express.cjs``,
  its packages from ``bench/package-lock.json`` by ``npm ci --prefix bench``),
  with the token its own ``POST /login`` hands out;
- ``gatepass serve`` (its default server) and ``gatepass serve --server uvicorn``,
  ``GET /dashboard`` with a token from ``POST /auth/login``;
- on the default server (granian, as ``gatepass serve`` runs it): the gatepass
  app's route without auth beside a bare FastAPI app; a Starlette endpoint behind
  ``GatepassMiddleware``; a FastAPI route unprotected and with ``Depends(auth)``.

Then refresh (``bench/refresh_bench.py``'s measure: two instances on PostgreSQL
+ Redis when GATEPASS_TEST_DATABASE_URL and GATEPASS_TEST_REDIS_URL are set,
and one on SQLite), logins against Argon2id alone (``bench/login_storm.py``),
and the RSS of one instance before and after 100,000 distinct tokens
(``bench/memory_bench.py``). Any non-2xx answer under load aborts the run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import login_storm
import memory_bench
import orjson
import refresh_bench
from server_bench import NO_LIMITS, _gatepass_token, _wrk, launch

from gatepass.jose import Key
from gatepass.settings import Settings
from gatepass.tokens.access import AccessTokenIssuer

HERE = Path(__file__).resolve().parent
PARTS = ("throughput", "refresh", "logins", "memory")
GUIDE_LOGIN = {"email": "user@gmail.com", "password": "123456"}
PROTECT_ISSUER, PROTECT_AUDIENCE = "https://auth.bench.test", "gatepass"


@dataclass
class Contender:
    key: str
    name: str
    target: str
    env: dict[str, str] = field(default_factory=dict)
    path: str = "/dashboard"
    base: str = ""
    token: str | None = None
    process: subprocess.Popen[bytes] | None = None


@dataclass(frozen=True)
class Target:
    name: str
    ratio: float
    goal: float
    at_most: bool = False  # the ratio must stay at or below the goal

    @property
    def met(self) -> bool:
        return self.ratio <= self.goal if self.at_most else self.ratio >= self.goal


def contenders(tmp: str, jwk: str) -> list[Contender]:
    def db(name: str) -> dict[str, str]:
        url = f"sqlite+aiosqlite:///{tmp}/{name}.db"
        return {
            "GATEPASS_DATABASE_URL": url,
            "GATEPASS_KEY_ENCRYPTION_KEY_FILE": f"{tmp}/kek",
            **NO_LIMITS,
        }

    protect = {"BENCH_JWK": jwk}
    return [
        Contender(
            "express",
            "guide: express + jsonwebtoken",
            "node:guide_express.cjs",
            {"JWT_SECRET": secrets.token_urlsafe(32)},
        ),
        Contender("serve", "gatepass serve (default: granian)", "serve:", db("serve")),
        Contender("serve_uvicorn", "gatepass serve --server uvicorn", "serve:uvicorn", db("uv")),
        Contender(
            "open",
            "gatepass app, route without auth",
            "granian:server_apps:gatepass_open_app",
            db("open"),
            path="/open",
        ),
        Contender("bare", "bare FastAPI, same route", "granian:server_apps:plain_app"),
        Contender(
            "starlette",
            "Starlette + GatepassMiddleware",
            "granian:protect_apps:starlette_middleware_app",
            protect,
        ),
        Contender(
            "fastapi_open", "FastAPI route, unprotected", "granian:protect_apps:open_app", protect
        ),
        Contender(
            "fastapi_trivial",
            "FastAPI route + a do-nothing Depends",
            "granian:protect_apps:trivial_dependency_app",
        ),
        Contender(
            "fastapi_dep",
            "FastAPI route + Depends(auth)",
            "granian:protect_apps:gatepass_dependency_app",
            protect,
        ),
    ]


def _token(c: Contender, protect_token: str) -> str | None:
    if c.key == "express":
        reply = httpx.post(f"{c.base}/login", json=GUIDE_LOGIN, timeout=30)
        reply.raise_for_status()
        token: str = reply.json()["token"]
        return token
    if c.key.startswith("serve"):
        return _gatepass_token(c.base)
    if c.key in ("starlette", "fastapi_dep"):
        return protect_token
    return None


def throughput(args: argparse.Namespace, tmp: str, chosen: list[str]) -> dict[str, float]:
    """Best requests/s of each contender over interleaved rounds."""
    key = Key.generate("EdDSA")
    jwk = orjson.dumps(key.export_jwk(private=True)).decode()
    protect_token, _ = AccessTokenIssuer(PROTECT_ISSUER, PROTECT_AUDIENCE, 3600).issue(
        key, user_id="u1", email="ada@example.com", role="user", session_id="s1", now=time.time()
    )
    everyone = [c for c in contenders(tmp, jwk) if c.key in chosen]
    best = dict.fromkeys((c.key for c in everyone), 0.0)
    try:
        for c in everyone:
            c.process, c.base = launch(c.target, c.env)
            c.token = _token(c, protect_token)
            check = httpx.get(c.base + c.path, headers=_auth(c.token), timeout=10)
            if check.status_code != 200:
                raise RuntimeError(f"{c.name}: {check.status_code} {check.text}")
        for _ in range(args.rounds):
            for c in everyone:
                rate = _wrk(c.base + c.path, c.token, args.seconds, args.concurrency)
                best[c.key] = max(best[c.key], rate)
    finally:
        for c in everyone:
            if c.process is not None:
                c.process.terminate()
                c.process.wait(timeout=20)
    for c in everyone:
        print(f"  {c.name:45s} {best[c.key]:9.0f} req/s")
    return best


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def refresh(args: argparse.Namespace, tmp: str) -> list[Target]:
    """Rotations/s beside JWKS/s: PostgreSQL + Redis (two instances) if set, and SQLite (one)."""
    found = []
    setups: list[tuple[int, bool]] = [(1, False)]
    postgres = os.environ.get("GATEPASS_TEST_DATABASE_URL") and os.environ.get(
        "GATEPASS_TEST_REDIS_URL"
    )
    if postgres and not args.smoke:
        setups.insert(0, (2, True))
    for instances, server in setups:
        work = Path(tmp, f"refresh-{instances}")
        work.mkdir()
        rotations, jwks, name = refresh_bench.run(
            instances, args.clients, args.seconds, str(work), postgres=server
        )
        print(
            f"  refresh, {instances} instance(s) on {name}: {rotations:.0f} rotations/s, "
            f"{jwks:.0f} JWKS requests/s"
        )
        found.append(
            Target(
                f"refresh rotations/s vs JWKS/s, {name}, {instances} instance(s)",
                rotations / jwks,
                0.25,
            )
        )
    return found


def logins(args: argparse.Namespace, tmp: str) -> list[Target]:
    work = Path(tmp, "storm")
    work.mkdir()
    probes = 50 if args.smoke else 200
    result = login_storm.run(args.seconds, args.clients, probes, str(work), args.rounds)
    print(
        f"  logins/s {result.logins:.1f}, Argon2id alone on every core {result.alone:.1f}/s; "
        f"/dashboard p99 during the storm {result.p99:.1f} ms"
    )
    return [
        Target("logins/s vs Argon2id alone on all cores", result.logins / result.alone, 0.8),
        Target("protected p99 during a login storm, ms (<= 50)", result.p99, 50, at_most=True),
    ]


def ratios(best: dict[str, float]) -> list[Target]:
    """The throughput targets whose contenders were all measured."""
    found = []
    pairs: list[tuple[str, str, str, float, bool]] = [
        ("gatepass serve /dashboard vs guide express", "serve", "express", 10, False),
        ("protect on Starlette vs guide express", "starlette", "express", 15, False),
        (
            "FastAPI Depends(auth) cost vs unprotected route",
            "fastapi_dep",
            "fastapi_open",
            0.05,
            True,
        ),
        ("gatepass route without auth vs bare FastAPI (granian)", "open", "bare", 0.95, False),
    ]
    for name, ours, theirs, goal, is_cost in pairs:
        if ours in best and theirs in best:
            ratio = best[ours] / best[theirs]
            found.append(Target(name, 1 - ratio if is_cost else ratio, goal, at_most=is_cost))
    return found


def table(targets: list[Target]) -> None:
    print(f"\n{'target':<62} {'measured':>9} {'goal':>8}  verdict")
    for t in targets:
        goal = f"{'<=' if t.at_most else '>='}{t.goal:g}"
        print(f"{t.name:<62} {t.ratio:>9.3f} {goal:>8}  {'met' if t.met else 'NOT MET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true", help="one tiny round of each; no verdicts")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"a comma-separated subset of {','.join(PARTS)}"
    )
    parser.add_argument("--only", default="", help="throughput: a comma-separated subset of keys")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/run_all.py needs wrk (apt-get install -y wrk)")
    if args.smoke:
        args.seconds, args.rounds, args.concurrency, args.clients, args.tokens = 1, 1, 4, 2, 200
    chosen = [c.key for c in contenders("", "")]
    if args.only:
        chosen = [key for key in chosen if key in args.only.split(",")]
    parts = set(args.parts.split(","))
    if not (HERE / "node_modules" / "express").is_dir():
        subprocess.run(
            ["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
        )
    started = time.monotonic()
    print(
        f"bench/run_all.py {' '.join(sys.argv[1:])}: {os.cpu_count()} cores, "
        f"wrk {args.concurrency} connections, best of {args.rounds} x {args.seconds:g} s"
    )
    targets: list[Target] = []
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "throughput" in parts:
            best = throughput(args, tmp, chosen)
            targets += ratios(best)
        if "refresh" in parts:
            targets += refresh(args, tmp)
        if "logins" in parts:
            targets += logins(args, tmp)
        if "memory" in parts:
            memory = memory_bench.measure(tmp, args.tokens)
            print(
                f"  RSS of one instance: idle {memory.idle_mib:.1f} MiB, after {memory.tokens} "
                f"distinct tokens verified {memory.after_mib:.1f} MiB"
            )
            growth = memory.after_mib - memory.idle_mib
            bound = Settings().token_cache_bytes / 2**20
            targets.append(
                Target(
                    f"RSS growth after the tokens, MiB (cache bound {bound:g} MiB)",
                    growth,
                    bound,
                    at_most=True,
                )
            )
    table(targets)
    if {"fastapi_open", "fastapi_trivial", "fastapi_dep"} <= best.keys():
        per = {k: 1e6 / best[k] for k in ("fastapi_open", "fastapi_trivial", "fastapi_dep")}
        framework = per["fastapi_trivial"] - per["fastapi_open"]
        ours = per["fastapi_dep"] - per["fastapi_trivial"]
        print(
            f"\nFastAPI Depends(auth), µs per request: FastAPI's own cost of a dependency "
            f"{framework:.1f} ({framework / per['fastapi_open']:.0%} of the route), gatepass's "
            f"part {ours:.1f} ({ours / per['fastapi_open']:.0%})"
        )
    if args.smoke:
        print("(--smoke: one tiny round, not a measurement)")
    if {"serve", "serve_uvicorn"} <= best.keys():
        print(
            f"\n(server choice: gatepass serve on granian {best['serve']:.0f} req/s, "
            f"on uvicorn {best['serve_uvicorn']:.0f})"
        )
    print(f"whole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
