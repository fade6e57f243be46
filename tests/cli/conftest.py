"""Running ``gatepass`` in tests: in process (typer's CliRunner) and as a server process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
import orjson
import pytest
from typer.testing import CliRunner, Result

from gatepass.cli import app
from gatepass.store import Store, open_store

T = TypeVar("T")
GATEPASS = str(Path(sys.executable).with_name("gatepass"))


@dataclass
class Cli:
    """``gatepass`` in process, on one temporary SQLite database."""

    database: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"sqlite+aiosqlite:///{self.database}"

    def __call__(
        self, *args: str, input: str | None = None, env: Mapping[str, str] | None = None
    ) -> Result:
        merged = {
            "GATEPASS_DATABASE_URL": self.url,
            "NO_COLOR": "1",
            "COLUMNS": "200",
            **self.env,
            **(env or {}),
        }
        result = CliRunner().invoke(app, list(args), input=input, env=merged)
        assert "Traceback" not in result.output, result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), repr(result.exception)
        return result

    def json(self, *args: str, input: str | None = None) -> object:
        result = self(*args, "--json", input=input)
        assert result.exit_code == 0, result.output
        return orjson.loads(result.stdout)

    def store(self, work: Callable[[Store], Awaitable[T]]) -> T:
        """Run ``work`` against the same database directly (setup and checks)."""

        async def run() -> T:
            store = open_store(self.url)
            try:
                await store.migrate()
                return await work(store)
            finally:
                await store.close()

        return asyncio.run(run())


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    for name in list(os.environ):
        if name.startswith("GATEPASS_") and not name.startswith("GATEPASS_TEST_"):
            monkeypatch.delenv(name)
    return Cli(tmp_path / "gatepass.db")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """``gatepass serve`` as a real process on loopback; can be stopped and started again."""

    database: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    env_extra: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
            "GATEPASS_PORT": str(self.port),
            "GATEPASS_ISSUER": f"http://127.0.0.1:{self.port}",
            **self.env_extra,
        }

    def start(self) -> None:
        self.process = subprocess.Popen(
            [GATEPASS, "serve"],
            cwd=self.database.parent,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("gatepass serve did not come up")
            time.sleep(0.2)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout:
            process.stdout.close()

    def gatepass(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """A ``gatepass`` command on the server's database, as a separate process."""
        return subprocess.run(
            [GATEPASS, *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
            check=False,
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    served = Server(tmp_path / "served.db")
    try:
        yield served
    finally:
        served.stop()
