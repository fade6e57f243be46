"""Real ``gatepass serve`` processes on loopback, for tests that need more than ASGI.

``serve(env, workdir)`` starts one on a free 127.0.0.1 port, waits (bounded)
until ``/health`` answers 200, yields a ``Served`` and stops it afterwards;
``spawn`` only starts one, so that several can start at the same moment. Its
output goes to a log file in ``workdir`` (never a pipe nobody reads, which
would block the server once full), readable through ``Served.log()``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

__all__ = ["GATEPASS", "Served", "free_port", "serve", "spawn", "wait_until"]

GATEPASS = Path(sys.executable).with_name("gatepass")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    ready: Callable[[], object], what: str, timeout: float = 10.0, every: float = 0.1
) -> None:
    """Call ``ready()`` until it is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(every)


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def health(self) -> int | None:
        """``/health``'s status code, or None when nothing answers."""
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code
        except httpx.TransportError:
            return None

    def wait_healthy(self, timeout: float = START_TIMEOUT_S) -> None:
        """Until ``/health`` answers 200; fails the test if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while self.health() != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gatepass serve did not come up:\n{self.log()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM to the server process, as a supervisor sends it (it stops its workers);
        SIGKILL to its whole process group if it lingers.

        Not SIGTERM to the group: a granian worker that gets one from the group and
        one from its parent sometimes never stops (killed 10 s later).
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def spawn(
    env: Mapping[str, str],
    workdir: Path,
    *,
    args: Sequence[str] = (),
    name: str = "gatepass",
    port: int | None = None,
) -> Served:
    """Start one ``gatepass serve`` (``env`` on top of os.environ) on ``port`` (a free
    one unless given: a server whose env must name its own URL); it may not be up yet."""
    port = port or free_port()
    log_path = workdir / f"{name}-{port}.log"
    full_env = {**os.environ, **env, "GATEPASS_HOST": "127.0.0.1", "GATEPASS_PORT": str(port)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(GATEPASS), "serve", *args],
            cwd=workdir,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # --workers N: stop the whole group
        )
    return Served(f"http://127.0.0.1:{port}", process, log_path)


@contextmanager
def serve(
    env: Mapping[str, str],
    workdir: Path,
    *,
    args: Sequence[str] = (),
    name: str = "gatepass",
    port: int | None = None,
) -> Iterator[Served]:
    """One ``gatepass serve``, up and healthy; stopped afterwards."""
    served = spawn(env, workdir, args=args, name=name, port=port)
    try:
        served.wait_healthy()
        yield served
    finally:
        served.stop()
