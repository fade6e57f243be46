"""`gatepass keys list|rotate|export` on a temporary database."""

from __future__ import annotations

import sqlite3
import stat

import orjson

from tests.cli.conftest import Cli

HS256_SECRET = "kX3w9pQ2vZr7Lm4Tn8Yb1Hc6Jd0Fg5Sa_Ue2Wi9Ro3"


def test_rotate_list_and_export(cli: Cli) -> None:
    assert cli.json("keys", "list") == {"keys": []}
    empty = cli("keys", "export")
    assert empty.exit_code == 2
    assert empty.stderr.startswith("gatepass: not_found: There are no signing keys yet")
    first = cli("keys", "rotate")
    assert first.exit_code == 0, first.output
    first_kid = first.stdout.split()[1]
    second = cli("keys", "rotate")
    second_kid = second.stdout.split()[1]
    assert f"retiring: {first_kid}" in second.stdout
    assert "GATEPASS_KEY_SYNC" in second.stderr
    keys = cli.json("keys", "list")
    assert isinstance(keys, dict)
    assert [(k["kid"], k["status"]) for k in keys["keys"]] == [
        (first_kid, "retiring"),
        (second_kid, "active"),
    ]
    assert set(keys["keys"][0]) == {"kid", "alg", "status", "created_at", "retire_at"}
    retiring = keys["keys"][0]
    assert 900 + 60 - 5 < retiring["retire_at"] - keys["keys"][1]["created_at"] <= 900 + 60
    table = cli("keys", "list")
    assert "retiring" in table.stdout
    assert "active" in table.stdout
    public = cli.json("keys", "export")
    assert isinstance(public, dict)
    assert sorted(k["kid"] for k in public["keys"]) == sorted([first_kid, second_kid])
    assert all("d" not in k for k in public["keys"])
    assert cli.json("keys", "export", "--public") == public
    private = cli("keys", "export", "--private")
    assert private.exit_code == 0
    assert "PRIVATE" in private.stderr
    assert all("d" in k for k in orjson.loads(private.stdout)["keys"])


def test_rotate_alg_chooses_the_new_keys_algorithm(cli: Cli) -> None:
    first = cli("keys", "rotate")
    assert first.exit_code == 0, first.output
    assert first.stdout.split()[2] == "(ES256)"  # GATEPASS_SIGNING_ALG's default
    cli.env["GATEPASS_SIGNING_ALG"] = "RS256"
    assert cli("keys", "rotate").stdout.split()[2] == "(RS256)"
    assert cli("keys", "rotate", "--alg", "EdDSA").stdout.split()[2] == "(EdDSA)"
    keys = cli.json("keys", "list")
    assert isinstance(keys, dict)
    assert [(k["alg"], k["status"]) for k in keys["keys"]] == [
        ("ES256", "retiring"),
        ("RS256", "retiring"),
        ("EdDSA", "active"),
    ]
    exported = cli.json("keys", "export")
    assert isinstance(exported, dict)
    assert sorted(k["alg"] for k in exported["keys"]) == ["ES256", "EdDSA", "RS256"]
    refused = cli("keys", "rotate", "--alg", "HS256")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("gatepass: invalid_config: The signing algorithm must be")


def test_private_keys_at_rest_are_opened_with_the_key_encryption_key(cli: Cli) -> None:
    cli.env["GATEPASS_KEY_ENCRYPTION_KEY"] = HS256_SECRET
    assert cli("keys", "rotate").exit_code == 0
    assert cli("keys", "export", "--private").exit_code == 0
    del cli.env["GATEPASS_KEY_ENCRYPTION_KEY"]
    refused = cli("keys", "export", "--private")
    assert refused.exit_code == 2
    # No key file is made for keys sealed with another key: it could not open them.
    assert refused.stderr.startswith("gatepass: invalid_config: The key file ")
    assert "does not exist" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert not cli.database.with_name("gatepass.db.kek").exists()
    assert cli("keys", "export").exit_code == 0  # the public half is not sealed
    cli.env["GATEPASS_KEY_ENCRYPTION_KEY"] = HS256_SECRET[::-1]
    wrong = cli("keys", "export", "--private")
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith(
        "gatepass: invalid_config: GATEPASS_KEY_ENCRYPTION_KEY does not open the stored"
    )
    assert HS256_SECRET[::-1] not in wrong.stderr


def test_without_a_key_encryption_key_the_cli_and_a_key_file_seal_the_keys(cli: Cli) -> None:
    assert cli("keys", "rotate").exit_code == 0
    key_file = cli.database.with_name("gatepass.db.kek")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with sqlite3.connect(cli.database) as db:
        (stored,) = db.execute("SELECT private_jwk FROM signing_keys").fetchone()
    assert stored.startswith("enc:v1:")
    assert cli("keys", "export", "--private").exit_code == 0


def test_rewrap_to_a_key_read_from_the_environment(cli: Cli) -> None:
    cli.env["GATEPASS_KEY_ENCRYPTION_KEY"] = HS256_SECRET
    assert cli("keys", "rotate").exit_code == 0
    before = cli("keys", "export", "--private").stdout
    missing = cli("keys", "rewrap", "--to-env", "NEW_KEK")
    assert (missing.exit_code, missing.stderr.count("\n")) == (2, 1)
    new_key = HS256_SECRET[::-1]
    done = cli("keys", "rewrap", "--to-env", "NEW_KEK", env={"NEW_KEK": new_key})
    assert done.exit_code == 0, done.output
    assert done.stdout == "re-encrypted 1 signing key(s)\n"
    assert new_key not in done.output
    assert cli("keys", "export", "--private").exit_code == 2  # the old key no longer opens them
    cli.env["GATEPASS_KEY_ENCRYPTION_KEY"] = new_key
    assert cli("keys", "export", "--private").stdout == before


def test_hs256_mode_has_no_keys_to_rotate(cli: Cli) -> None:
    cli.env["GATEPASS_JWT_SECRET"] = HS256_SECRET
    for command in (("keys", "rotate"), ("keys", "export")):
        result = cli(*command)
        assert result.exit_code == 2
        assert result.stderr.startswith("gatepass: invalid_config: GATEPASS_JWT_SECRET is set")
        assert result.stderr.count("\n") == 1
        assert HS256_SECRET not in result.stderr
