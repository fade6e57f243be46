"""SIGTERM drains: a request in flight when ``gatepass serve`` is told to stop is answered.

On every server ``gatepass serve`` runs on. The request is a login whose body is
still arriving when the signal comes: the app is inside it (waiting for the
rest of the body), the server must not drop it, and must exit 0 afterwards
without taking new connections.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import pytest

from gatepass.cli.runners import HttpServer
from tests.serving import spawn, wait_until

BODY = b'{"email":"nobody@example.com","password":"correct horse battery"}'
HEAD = (
    b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n"
)
EXIT = {"granian": 0, "uvicorn": -signal.SIGTERM}
SETTLE_S = 0.5  # a real process on a shared machine: time to read what was sent


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _read_response(sock: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            return received
        received += chunk
    head, body = received.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize("name", [s.value for s in HttpServer])
def test_sigterm_answers_the_request_in_flight_then_exits(name: str, tmp_path: Path) -> None:
    env = {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gatepass.db'}"}
    served = spawn(env, tmp_path, args=["--server", name], name=name)
    try:
        served.wait_healthy()
        with socket.create_connection(_address(served.url), timeout=20) as sock:
            sock.sendall(HEAD + BODY[:10])  # the head and the start of the body
            time.sleep(SETTLE_S)
            served.process.send_signal(signal.SIGTERM)
            time.sleep(SETTLE_S)  # the server is stopping now, with this request open
            wait_until(lambda: served.health() is None, "the server refusing new requests")
            sock.sendall(BODY[10:])
            answer = _read_response(sock)
        assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]  # an unknown user, answered
        assert b'"error":"invalid_credentials"' in answer
        served.process.wait(timeout=20)  # by itself: stop() below would have to kill it
    finally:
        served.stop()
    # granian exits 0; uvicorn, once shut down, re-raises the signal it handled, so its
    # status says "ended by SIGTERM" (what a supervisor that sent it expects either way).
    assert served.process.returncode == EXIT[name], served.log()
