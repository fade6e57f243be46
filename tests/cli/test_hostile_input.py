"""Hostile input to the command line: one line and a documented exit code, never a traceback.

Each case here once produced a traceback, an exit code outside docs/cli.md's
table, a "valid" verdict for an expired token, or an error that quoted the
input back (a database URL holding a password, a secret's bytes).
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from gatepass.cli.runners import RUNNERS, HttpServer, Launch
from gatepass.jose import Key, encode
from tests.cli.conftest import Cli
from tests.cli.test_token import _serve_forever

BAD_URL = "gatepass: invalid_config: GATEPASS_DATABASE_URL is not a usable database URL"
BAD_URL_PREFIX = "gatepass: invalid_config: GATEPASS_DATABASE_URL"


def _one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    return stderr


# --- the database URL ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        # The port slot holds what may be a password: it must not be repeated.
        "postgresql://gp:pw@127.0.0.1:hunter2-in-port/gatepass",
        # Out of range: asyncpg refuses it with an OverflowError at the first connection.
        "postgresql://gp@127.0.0.1:99999/gatepass",
        # A libpq option asyncpg does not take (sslmode is translated to ssl).
        "postgresql://gp@127.0.0.1:9/gatepass?application_name=secretapp",
        "postgresql://gp@[::1/gatepass",
    ],
    ids=["port-not-a-number", "port-out-of-range", "libpq-option", "unclosed-ipv6"],
)
@pytest.mark.parametrize(
    "command", [("db", "upgrade"), ("users", "list"), ("keys", "rotate"), ("sessions", "list")]
)
def test_a_database_url_the_drivers_refuse_is_one_line(
    cli: Cli, url: str, command: tuple[str, ...]
) -> None:
    result = cli(*command, env={"GATEPASS_DATABASE_URL": url})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert _one_line(result.stderr).startswith(BAD_URL_PREFIX)
    for fragment in ("hunter2", "99999", "secretapp", "::1"):
        assert fragment not in result.stderr


@pytest.mark.parametrize("command", [("users", "list"), ("sessions", "list")])
def test_an_offset_past_sql_integers_is_a_usage_error(cli: Cli, command: tuple[str, ...]) -> None:
    assert cli(*command, "--offset", str(2**63 - 1), "--json").exit_code == 0
    result = cli(*command, "--offset", str(2**63))
    assert result.exit_code == 2
    assert "Invalid value for '--offset'" in result.stderr  # one line under main()


@pytest.mark.parametrize("port", ["0", "65536", "99999999"])
def test_serve_refuses_a_port_out_of_range(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, port: str
) -> None:
    started: list[Launch] = []
    for name in HttpServer:
        monkeypatch.setitem(RUNNERS, name, started.append)
    result = cli("serve", "--port", port)
    assert started == []
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.stderr  # one line under main()


def test_serve_refuses_a_database_url_the_drivers_refuse_before_starting(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It used to start the server and fail in the app's startup with a traceback.
    started: list[Launch] = []
    for name in HttpServer:
        monkeypatch.setitem(RUNNERS, name, started.append)
    url = "postgresql://gp:pw@127.0.0.1:hunter2/gatepass"
    result = cli("serve", env={"GATEPASS_DATABASE_URL": url})
    assert started == []
    assert result.exit_code == 2
    assert _one_line(result.stderr).startswith(BAD_URL_PREFIX)
    assert "hunter2" not in result.stderr


# --- text that is not UTF-8 -------------------------------------------------------------


def test_a_secret_that_is_not_utf8_is_not_quoted(cli: Cli) -> None:
    # os.environ holds an undecodable byte as a lone surrogate; its error quoted it.
    result = cli("secret", "check", "--env", "X", env={"X": "k" * 40 + "\udcff"})
    assert result.exit_code == 2
    assert result.stderr == "gatepass: invalid_argument: the input is not valid UTF-8 text\n"


def test_a_user_argument_that_is_not_utf8_is_not_quoted(cli: Cli) -> None:
    result = cli("users", "disable", "\udcff@example.com")
    assert result.exit_code == 2
    assert result.stderr == "gatepass: invalid_argument: the input is not valid UTF-8 text\n"


# --- token verify -----------------------------------------------------------------------


def _key_file(tmp_path: Path, *, private: bool = False) -> tuple[Key, str]:
    key = Key.generate("EdDSA", kid="k1")
    path = tmp_path / "k.jwk"
    path.write_text(json.dumps(key.export_jwk(private=private)), "utf-8")
    return key, str(path)


@pytest.mark.parametrize(
    "when", [("--at", "nan"), ("--leeway", "inf"), ("--leeway", "1e400"), ("--at", "inf")]
)
def test_verify_refuses_a_clock_that_is_not_a_number(
    cli: Cli, tmp_path: Path, when: tuple[str, str]
) -> None:
    key, path = _key_file(tmp_path)
    expired = encode({"sub": "1", "exp": int(time.time()) - 600}, key, "EdDSA")
    result = cli("token", "verify", expired, "--key", path, *when)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert _one_line(result.stderr) == (
        "gatepass: usage: --at and --leeway must be finite numbers of seconds\n"
    )


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://\u202e/jwks", "http://" + "a" * 100 + ".example/jwks"]
)
def test_verify_an_invalid_jwks_url_is_one_line(cli: Cli, tmp_path: Path, url: str) -> None:
    key, _ = _key_file(tmp_path)
    token = encode({"sub": "1", "exp": int(time.time()) + 600}, key, "EdDSA")
    result = cli("token", "verify", token, "--jwks", url)
    assert result.exit_code == 2
    assert result.stderr == "gatepass: invalid_argument: --jwks is not a valid http(s) URL\n"


def test_verify_fetches_a_jwks_url_with_an_upper_case_scheme(cli: Cli, tmp_path: Path) -> None:
    key, _ = _key_file(tmp_path)
    body = json.dumps({"keys": [key.public_key().export_jwk()]}).encode()

    def answer(conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + body
        )

    url, listener = _serve_forever(answer)
    token = encode({"sub": "1", "exp": int(time.time()) + 600}, key, "EdDSA")
    with listener:
        result = cli("token", "verify", token, "--jwks", "HTTP" + url.removeprefix("http"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: signed with EdDSA")


# --- token sign -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    ['{"exp": "tomorrow"}', '{"exp": null}', '{"exp": true}', '{"iat": "x"}', '{"nbf": [1]}'],
)
def test_sign_refuses_time_claims_that_are_not_numbers(
    cli: Cli, tmp_path: Path, claims: str
) -> None:
    _, path = _key_file(tmp_path, private=True)
    result = cli("token", "sign", "--claims", claims, "--key", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert _one_line(result.stderr).startswith("gatepass: invalid_claims: ")
    assert "must be a number of seconds since the epoch" in result.stderr


def test_sign_with_a_key_set_holding_no_usable_key_says_so(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.jwks"
    path.write_text('{"keys": []}', "utf-8")
    result = cli("token", "sign", "--claims", "{}", "--key", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        "gatepass: usage: the key file holds no usable key; give a file with one JWK\n"
    )
