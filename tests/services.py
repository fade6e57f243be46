"""The machine's shared Redis for tests, and names that keep concurrent runs apart.

Redis comes from ``GATEPASS_TEST_REDIS_URL`` (PostgreSQL from
``GATEPASS_TEST_DATABASE_URL``, see ``tests.store.conftest``). Without it the
cases skip, except under ``CI=true`` where a missing service fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
from redis import Redis

__all__ = ["missing", "redis_prefix", "redis_url", "service_url", "unique"]


def unique(stem: str) -> str:
    """``stem`` plus a random suffix: a key prefix or database name no other run uses."""
    return f"{stem}_{uuid.uuid4().hex[:16]}"


def missing(what: str) -> NoReturn:
    """A test's prerequisite is absent: skip locally, fail under ``CI=true``."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} and CI=true (scripts/test provides it)")
    pytest.skip(what)


def service_url(variable: str) -> str:
    """The URL in ``variable``; skip without it, but fail under ``CI=true``."""
    url = os.environ.get(variable, "")
    if not url:
        missing(f"{variable} is not set")
    return url


def redis_url() -> str:
    return service_url("GATEPASS_TEST_REDIS_URL")


@contextmanager
def redis_prefix(url: str) -> Iterator[str]:
    """A fresh key prefix in the Redis at ``url``; its keys are deleted afterwards."""
    prefix = unique("gp_test")
    try:
        yield prefix
    finally:
        with Redis.from_url(url) as client:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
