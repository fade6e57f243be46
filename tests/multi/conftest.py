"""Several real ``gatepass serve`` processes on one PostgreSQL database and one Redis.

How to use it in a test::

    def test_something(instances: list[Served]) -> None:
        a, b = instances                      # two processes, defaults below
        httpx.post(f"{a.url}/auth/login", ...)

    def test_custom(launch: Launch) -> None:
        a, b, c = launch(3, env={"GATEPASS_ACCESS_TTL": "5s"}, args=["--workers", "2"])

``launch(count, env=..., args=...)`` starts ``count`` processes at the same
moment, each on its own free 127.0.0.1 port, waits (bounded) until ``/health``
answers on each, and returns their ``tests.serving.Served`` (``.url``,
``.log()``, ``.health()``, ``.stop()``, ``.process``). Every process a test
launched is stopped when the test ends (``.stop()`` ends one earlier).
``launch`` may be called more than once per test; all processes of one test
share the same database and the same Redis key prefix.

What they share:

- ``multi_database`` (session scope): a database ``gatepass_multi_<random>``
  created in the shared cluster (``GATEPASS_TEST_DATABASE_URL``), migrated once
  with ``gatepass db upgrade`` as a deployment would, and dropped at the end of
  the session. Tests share it, so each should use its own e-mail addresses
  (``tests.services.unique``). A test that needs an empty database of its own
  wraps ``with fresh_database() as url:`` and passes
  ``env={"GATEPASS_DATABASE_URL": url}`` to ``launch``.
- Redis (``GATEPASS_TEST_REDIS_URL``) under a key prefix fresh for each test
  (``GATEPASS_REDIS_KEY_PREFIX``), whose keys are deleted afterwards: rate-limit
  counters start at zero in every test, and the revocation channel
  (``<prefix>:revocations``) carries only that test's messages.

- ``KEY_ENCRYPTION_KEY`` (one per session) as ``GATEPASS_KEY_ENCRYPTION_KEY``:
  the signing keys in the shared database are encrypted with it, and every
  instance (and any ``gatepass keys`` command a test runs) needs the same one,
  as in a deployment.

``throwaway_redis`` (from ``tests.faults``) is a fixture here too: a Redis a
test may kill under its processes (pass its ``.url`` as ``GATEPASS_REDIS_URL``).

The environment a loopback process needs: ``GATEPASS_ENV=development``
(production refuses plain HTTP, and these processes speak plain HTTP on
loopback), the same ``GATEPASS_ISSUER`` for all (tokens cross instances). The
cookies keep ``Secure``: tests that drive the cookie transport over plain HTTP
pass ``env={"GATEPASS_COOKIE_SECURE": "false"}`` (allowed in development).

Processes of one ``launch`` start together, as after a deploy: on an empty
database they must agree on one signing key (``add_first_signing_key``).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from gatepass.store.sql.engine import async_url
from tests.faults.conftest import throwaway_redis as throwaway_redis  # the fixture, for faults here
from tests.services import redis_prefix, redis_url, unique
from tests.serving import GATEPASS, Served, spawn
from tests.store.conftest import postgres_url

__all__ = ["KEY_ENCRYPTION_KEY", "Launch", "fresh_database"]

ISSUER = "http://127.0.0.1:8000"
KEY_ENCRYPTION_KEY = secrets.token_urlsafe(32)
UPGRADE_TIMEOUT_S = 60
ADMIN_TIMEOUT_S = 60


class Launch(Protocol):
    def __call__(
        self,
        count: int = 2,
        *,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ) -> list[Served]: ...


def _admin(url: str, statement: str) -> None:
    """Run one statement outside any transaction (CREATE/DROP DATABASE).

    In a thread with its own event loop, so async tests may call it too.
    """

    async def run() -> None:
        engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result(timeout=ADMIN_TIMEOUT_S)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new database in the shared cluster, migrated by ``gatepass db upgrade``; dropped after.

    Yields its URL. ``DROP ... WITH (FORCE)`` ends any connection left open.
    """
    admin_url = postgres_url()
    name = unique("gatepass_multi")
    _admin(admin_url, f'CREATE DATABASE "{name}"')
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
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def multi_database() -> Iterator[str]:
    """The URL of the session's shared database (see ``fresh_database``)."""
    with fresh_database() as url:
        yield url


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
                "GATEPASS_KEY_ENCRYPTION_KEY": KEY_ENCRYPTION_KEY,
                "GATEPASS_REDIS_URL": shared_redis,
                "GATEPASS_REDIS_KEY_PREFIX": prefix,
                **(env or {}),
            }
            batch = []
            for _ in range(count):
                name = f"instance{len(started)}"
                served = spawn(settings, tmp_path, args=args, name=name)
                running.callback(served.stop)
                started.append(served)
                batch.append(served)
            for served in batch:  # all start at once; then each must come up
                served.wait_healthy()
            return batch

        yield start


@pytest.fixture
def instances(launch: Launch) -> list[Served]:
    """Two gatepass processes with default settings on one database and one Redis."""
    return launch(2)
