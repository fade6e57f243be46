"""`gatepass secret generate|check`: the value comes from stdin or an env var, never argv."""

from __future__ import annotations

import re

import orjson
import pytest

from tests.cli.conftest import Cli


def test_generate(cli: Cli) -> None:
    first, second = cli("secret", "generate"), cli("secret", "generate")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\n", first.stdout)
    assert first.stdout != second.stdout
    assert len(cli("secret", "generate", "--bytes", "64").stdout.strip()) == 86
    assert cli("secret", "generate", "--bytes", "16").exit_code == 2


def test_secret_alone_prints_a_fresh_secret(cli: Cli) -> None:
    """``gatepass secret`` (the auth-server issue's command) is ``secret generate``."""
    first, second = cli("secret"), cli("secret")
    assert first.exit_code == 0
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\n", first.stdout)
    assert first.stdout != second.stdout
    assert "generate" in cli("secret", "--help").output


@pytest.mark.parametrize(
    "weak",
    [
        "secret",
        "your-256-bit-secret",
        "changeme",
        "short",
        "a" * 64,
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "my-super-secret-key-my-super-secret-key",
    ],
)
def test_check_refuses_the_guides_weak_secrets(cli: Cli, weak: str) -> None:
    result = cli("secret", "check", input=weak + "\n")
    assert result.exit_code == 1
    assert result.stdout.startswith("weak: ")
    assert len(weak) < 10 or weak not in result.stdout
    body = orjson.loads(cli("secret", "check", "--json", input=weak).stdout)
    assert body["ok"] is False
    assert body["problem"]


def test_check_accepts_a_generated_secret(cli: Cli) -> None:
    value = cli("secret", "generate").stdout
    result = cli("secret", "check", input=value)
    assert result.exit_code == 0
    assert result.stdout.startswith("strong: 43 bytes")
    body = orjson.loads(cli("secret", "check", "--json", input=value).stdout)
    assert set(body) == {"ok", "bytes", "entropy_bits", "problem"}
    assert (body["ok"], body["bytes"], body["problem"]) == (True, 43, None)
    from_env = cli("secret", "check", "--env", "MY_SECRET", env={"MY_SECRET": value.strip()})
    assert from_env.exit_code == 0


def test_check_never_reads_argv(cli: Cli) -> None:
    result = cli("secret", "check", "kX3w9pQ2vZr7Lm4Tn8Yb1Hc6Jd0Fg5Sa_Ue2Wi9Ro3")
    assert result.exit_code == 2
    assert cli("secret", "check", "--env", "UNSET_VARIABLE_HERE").exit_code == 2
