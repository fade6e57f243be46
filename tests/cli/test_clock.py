"""Every command reads one clock, ``gatepass.cli.runtime.clock``: a test moves it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatepass.cli import runtime
from gatepass.jose import Key, decode_unverified
from tests.cli.conftest import Cli
from tests.clock import Clock


def test_sign_and_verify_read_the_cli_clock(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(runtime, "clock", clock)
    key = Key.generate("EdDSA", kid="k1")
    private, public = tmp_path / "k.jwk", tmp_path / "pub.jwk"
    private.write_text(json.dumps(key.export_jwk(private=True)), "utf-8")
    public.write_text(json.dumps(key.public_key().export_jwk()), "utf-8")

    signed = cli("token", "sign", "--claims", '{"sub": "42"}', "--key", str(private))
    assert signed.exit_code == 0, signed.output
    token = signed.stdout.strip()
    _, claims = decode_unverified(token)
    assert (claims["iat"], claims["exp"]) == (int(clock.now), int(clock.now) + 900)

    clock.now += 899
    assert cli("token", "verify", token, "--key", str(public)).exit_code == 0
    clock.now += 1
    assert cli("token", "verify", token, "--key", str(public)).exit_code == 1
