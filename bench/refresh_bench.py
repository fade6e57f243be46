"""Refresh rotations/s through HTTP beside JWKS requests/s of the same instances.

    .venv/bin/python bench/refresh_bench.py [--seconds 5] [--clients 16] [--instances 2]

``--instances`` ``gatepass serve`` processes (its default server, one worker
each) share one database: PostgreSQL from ``GATEPASS_TEST_DATABASE_URL`` (a
fresh schema) with Redis from ``GATEPASS_TEST_REDIS_URL`` when both are set,
else one SQLite file (and then one instance is what makes sense). Each of
``--clients`` wrk connections per instance (one wrk thread each,
``bench/refresh.lua``) holds a session of its own and rotates its refresh
token back to back (bearer mode, ``POST /auth/refresh``) for ``--seconds``;
then as many connections fetch ``/.well-known/jwks.json`` back to back for as
long. Issue 18's target: rotations/s at least 0.25x the JWKS requests/s. wrk
(``apt-get install -y wrk``) shares the cores with the servers: the ratio is
the number to compare, and it is noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from server_bench import NO_LIMITS, PASSWORD, _wrk, launch  # one launcher and wrk driver
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from gatepass.store.sql.engine import async_url

HERE = Path(__file__).resolve().parent


async def _sessions(base: str, count: int) -> list[str]:
    """``count`` refresh tokens, one session each, of one user per instance."""
    email = f"bench-{secrets.token_hex(4)}@example.com"
    creds = {"email": email, "password": PASSWORD}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        (await client.post("/auth/register", json=creds)).raise_for_status()
        tokens = []
        for _ in range(count):
            reply = await client.post("/auth/login", json=creds)
            reply.raise_for_status()
            tokens.append(reply.json()["refresh_token"])
        return tokens


def _together(bases: list[str], run: Callable[[int, str], float]) -> float:
    """The summed rate of ``run(i, base)`` on every instance at once."""
    with ThreadPoolExecutor(len(bases)) as pool:
        return sum(pool.map(run, range(len(bases)), bases))


def _measure(bases: list[str], clients: int, seconds: float, tmp: str) -> tuple[float, float]:
    files = []
    for i, base in enumerate(bases):
        files.append(Path(tmp, f"tokens-{i}"))
        files[-1].write_text("\n".join(asyncio.run(_sessions(base, clients))) + "\n")

    def rotate(i: int, base: str) -> float:
        script = (str(HERE / "refresh.lua"), str(files[i]))
        return _wrk(f"{base}/auth/refresh", None, seconds, clients, threads=clients, script=script)

    def jwks(_: int, base: str) -> float:
        return _wrk(f"{base}/.well-known/jwks.json", None, seconds, clients, threads=clients)

    return _together(bases, rotate), _together(bases, jwks)


async def _database(url: str, name: str, *, create: bool) -> None:
    """CREATE (or DROP) DATABASE ``name`` on the server of ``url``."""
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            verb = "CREATE DATABASE" if create else "DROP DATABASE IF EXISTS"
            await conn.exec_driver_sql(f"{verb} {name}")
    finally:
        await engine.dispose()


@contextmanager
def _environment(tmp: str, *, postgres: bool) -> Iterator[tuple[dict[str, str], str]]:
    """PostgreSQL (a database of its own, dropped after) + Redis, or SQLite."""
    pg, redis = (os.environ.get(f"GATEPASS_TEST_{n}_URL") for n in ("DATABASE", "REDIS"))
    if not (postgres and pg and redis):
        yield {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/refresh.db"}, "SQLite"
        return
    name = f"gatepass_bench_{secrets.token_hex(4)}"
    asyncio.run(_database(pg, name, create=True))
    try:
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
        prefix = {"GATEPASS_REDIS_KEY_PREFIX": name}
        yield (
            {"GATEPASS_DATABASE_URL": url, "GATEPASS_REDIS_URL": redis, **prefix},
            "PostgreSQL + Redis",
        )
    finally:
        asyncio.run(_database(pg, name, create=False))


def run(
    instances: int, clients: int, seconds: float, tmp: str, *, postgres: bool
) -> tuple[float, float, str]:
    """Rotations/s and JWKS requests/s of ``instances`` ``gatepass serve`` (its default
    server, one worker each) on PostgreSQL + Redis (``postgres``, when set) or SQLite."""
    with _environment(tmp, postgres=postgres) as (env, name):
        env = {**env, **NO_LIMITS, "GATEPASS_KEY_ENCRYPTION_KEY_FILE": f"{tmp}/kek"}
        processes = []
        try:
            for _ in range(instances):
                processes.append(launch("serve:", env))
            bases = [base for _, base in processes]
            rotations, jwks = _measure(bases, clients, seconds, tmp)
        finally:
            for process, _ in processes:
                process.terminate()
                process.wait(timeout=20)
    return rotations, jwks, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when PostgreSQL is set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rotations, jwks, name = run(
            args.instances, args.clients, args.seconds, tmp, postgres=not args.sqlite
        )
    print(
        f"{args.instances} instance(s) on {name}, {args.clients} clients each, "
        f"{args.seconds:.0f} s per measurement, gatepass serve (one worker) per instance:"
    )
    print(f"  refresh rotations/s through HTTP: {rotations:8.1f}")
    print(f"  /.well-known/jwks.json requests/s: {jwks:8.1f}")
    ratio = rotations / jwks
    print(f"  rotations >= 0.25x JWKS: {ratio:.3f}x {'PASS' if ratio >= 0.25 else 'FAIL'}")


if __name__ == "__main__":
    main()
