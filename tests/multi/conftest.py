"""Several real ``gatepass serve`` processes on one PostgreSQL database and one Redis.

How to use it in a test::

    def test_something(instances: list[Served]) -> None:
        a, b = instances                      # two processes, defaults below
        httpx.post(f"{a.url}/auth/login", ...)

    def test_custom(launch: Launch) -> None:
        a, b, c = launch(3, env={"GATEPASS_ACCESS_TTL": "5s"}, args=["--workers", "2"])

``launch(count, env=..., args=...)`` starts ``count`` processes, each on its
own free 127.0.0.1 port, waits (bounded) until ``/health`` answers on each, and
returns their ``tests.serving.Served`` (``.url``, ``.log()``, ``.health()``,
``.process``). Every process a test launched is stopped when the test ends.
``launch`` may be called more than once per test; all processes of one test
share the same database and the same Redis key prefix.

What they share:

- ``multi_database`` (session scope): a database ``gatepass_multi_<random>``
  created in the shared cluster (``GATEPASS_TEST_DATABASE_URL``), migrated once
  with ``gatepass db upgrade`` as a deployment would, and dropped at the end of
  the session. Tests share it, so each should use its own e-mail addresses.
- Redis (``GATEPASS_TEST_REDIS_URL``) under a key prefix fresh for each test
  (``GATEPASS_REDIS_KEY_PREFIX``), whose keys are deleted afterwards; rate-limit
  counters therefore start at zero in every test.

The environment a loopback process needs: ``GATEPASS_ENV=development``
(production refuses plain HTTP, and these processes speak plain HTTP on
loopback), the same ``GATEPASS_ISSUER`` for all (tokens cross instances). The
cookies keep ``Secure``: tests that drive the cookie transport over plain HTTP
pass ``env={"GATEPASS_COOKIE_SECURE": "false"}`` (allowed in development).

Processes start one after the other (each is healthy before the next starts):
the first creates the signing key, which the others then load.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from gatepass.store.sql.engine import async_url
from tests.services import redis_prefix, redis_url, unique
from tests.serving import GATEPASS, Served, serve
from tests.store.conftest import postgres_url

__all__ = ["Launch"]

ISSUER = "http://127.0.0.1:8000"
UPGRADE_TIMEOUT_S = 60


class Launch(Protocol):
    def __call__(
        self,
        count: int = 2,
        *,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ) -> list[Served]: ...


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def multi_database() -> Iterator[str]:
    """The URL of a fresh, migrated database in the shared cluster; dropped afterwards."""
    admin_url = postgres_url()
    name = unique("gatepass_multi")
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = async_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade = subprocess.run(
            [str(GATEPASS), "db", "upgrade"],
            env={**os.environ, "GATEPASS_DATABASE_URL": url},
            capture_output=True,
            timeout=UPGRADE_TIMEOUT_S,
            check=False,
        )
        if upgrade.returncode != 0:
            pytest.fail(f"gatepass db upgrade failed:\n{upgrade.stdout!r}\n{upgrade.stderr!r}")
        yield url
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def launch(multi_database: str, tmp_path: Path) -> Iterator[Launch]:
    """Start ``count`` gatepass processes on the shared database and Redis (see the module)."""
    shared_redis = redis_url()
    with redis_prefix(shared_redis) as prefix, ExitStack() as running:
        started: list[Served] = []

        def start(
            count: int = 2, *, env: Mapping[str, str] | None = None, args: Sequence[str] = ()
        ) -> list[Served]:
            settings = {
                "GATEPASS_ENV": "development",
                "GATEPASS_ISSUER": ISSUER,
                "GATEPASS_DATABASE_URL": multi_database,
                "GATEPASS_REDIS_URL": shared_redis,
                "GATEPASS_REDIS_KEY_PREFIX": prefix,
                **(env or {}),
            }
            batch = []
            for i in range(count):
                name = f"instance{len(started) + i}"
                batch.append(running.enter_context(serve(settings, tmp_path, args=args, name=name)))
            started.extend(batch)
            return batch

        yield start


@pytest.fixture
def instances(launch: Launch) -> list[Served]:
    """Two gatepass processes with default settings on one database and one Redis."""
    return launch(2)
