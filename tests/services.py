"""The machine's shared Redis for tests, and names that keep concurrent runs apart.

Redis comes from ``GATEPASS_TEST_REDIS_URL``. Without it the Redis cases skip,
except under ``CI=true`` where a missing Redis fails the run (the PostgreSQL
twin is ``tests.store.conftest.postgres_url``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from redis import Redis

__all__ = ["redis_prefix", "redis_url", "unique"]


def unique(stem: str) -> str:
    """``stem`` plus a random suffix: a key prefix or database name no other run uses."""
    return f"{stem}_{uuid.uuid4().hex[:16]}"


def redis_url() -> str:
    url = os.environ.get("GATEPASS_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("GATEPASS_TEST_REDIS_URL must be set when CI=true")
        pytest.skip("GATEPASS_TEST_REDIS_URL is not set")
    return url


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
