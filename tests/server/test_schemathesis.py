"""schemathesis ``--checks all`` against a real ``gatepass serve``: zero failures.

The examples, coverage and fuzzing phases, bounded in examples and time, once
without credentials and once with a valid bearer token, on a fresh SQLite
database (rate limits answer 429 during the run: a documented status).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import PASSWORD
from tests.serving import Served, serve

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
FEED_TOKEN = "feed-Vq3xJr8LmT2wZ9bN5cH7kP4sD6fG1yUe"
SECONDS_PER_RUN = 20
CONFIG = Path(__file__).with_name("schemathesis.toml")  # why: see the file


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """The server, and a valid access token taken before fuzzing meets the rate limits."""
    workdir = tmp_path_factory.mktemp("schemathesis")
    env = {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'gatepass.db'}",
        "GATEPASS_REVOCATION_FEED_TOKEN": FEED_TOKEN,
        "GATEPASS_LOG_LEVEL": "warning",
    }
    with serve(env, workdir) as running:
        yield running, _access_token(running.url)


def _access_token(url: str) -> str:
    account = {"email": "fuzz@example.com", "password": PASSWORD}
    assert httpx.post(f"{url}/auth/register", json=account, timeout=10).status_code == 201
    login = httpx.post(f"{url}/auth/login", json=account, timeout=10)
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token


def _run(served: Served, workdir: Path, *headers: str) -> None:
    args = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{served.url}/openapi.json"]
    args += ["--checks", "all"]
    args += ["--phases", "examples,coverage,fuzzing", "--max-examples", "20"]
    args += ["--max-time", str(SECONDS_PER_RUN), "--workers", "1", "--no-shrink"]
    for header in headers:
        args += ["-H", header]
    result = subprocess.run(
        args,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=SECONDS_PER_RUN + 60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counts is not None, output
    assert int(counts[1]) == int(counts[2]) > 100, output
    assert not re.search(r"\d+ (failures?|errors?)\b", output.strip().splitlines()[-1]), output


def test_no_failures_without_credentials(served: tuple[Served, str], tmp_path: Path) -> None:
    _run(served[0], tmp_path)


def test_no_failures_with_a_valid_token(served: tuple[Served, str], tmp_path: Path) -> None:
    running, token = served
    _run(running, tmp_path, f"Authorization: Bearer {token}")
