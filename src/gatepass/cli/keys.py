"""``gatepass keys list|rotate|export|rewrap``: the signing keys in the database.

Running servers re-read the keys every ``GATEPASS_KEY_SYNC`` seconds: after
``rotate`` they sign with the new key and publish both; the old one stays in
the JWKS (``retiring``) until every token it signed has expired.
"""

from __future__ import annotations

import os
from typing import Any

import typer

from gatepass import admin
from gatepass.cli.output import console, emit_json, show_table, timestamp
from gatepass.cli.runtime import current_time, fail, guarded, with_store
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.store.records import SigningKey
from gatepass.tokens.keyring import SIGNING_ALGORITHMS

__all__ = ["keys_app"]

keys_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Signing keys.")


def _key_json(key: SigningKey) -> dict[str, Any]:
    return {
        "kid": key.kid,
        "alg": key.alg,
        "status": key.status,
        "created_at": key.created_at,
        "retire_at": key.retire_at,
    }


@keys_app.command("list")
@guarded
def list_keys(json: bool = typer.Option(False, "--json", help="Print JSON only.")) -> None:
    """Every stored signing key: kid, alg, status, created, retire_at."""

    async def work(store: Store, config: Settings) -> list[SigningKey]:
        return await store.list_signing_keys()

    keys = with_store(work)
    if json:
        emit_json({"keys": [_key_json(k) for k in keys]})
        return
    rows = [(k.kid, k.alg, k.status, timestamp(k.created_at), timestamp(k.retire_at)) for k in keys]
    show_table("Signing keys", ("kid", "alg", "status", "created", "retire_at"), rows)


@keys_app.command("rotate")
@guarded
def rotate(
    alg: str | None = typer.Option(
        None,
        "--alg",
        help=f"The new key's algorithm: {', '.join(SIGNING_ALGORITHMS)} "
        "(default: GATEPASS_SIGNING_ALG, itself ES256 unless set).",
    ),
) -> None:
    """Add a new active signing key; the active one retires after the access-token TTL."""

    async def work(store: Store, config: Settings) -> admin.Rotation:
        return await admin.rotate_signing_key(store, config, current_time(), alg)

    rotation = with_store(work)
    typer.echo(f"active: {rotation.active.kid} ({rotation.active.alg})")
    for key in rotation.retiring:
        typer.echo(f"retiring: {key.kid} (verifies until {timestamp(key.retire_at)})")
    for kid in rotation.retired:
        typer.echo(f"retired: {kid}")
    console(stderr=True).print(
        "running servers sign with the new key within GATEPASS_KEY_SYNC seconds"
    )


@keys_app.command("export")
@guarded
def export(
    private: bool = typer.Option(
        False, "--private/--public", help="Include private key members (dangerous)."
    ),
    json: bool = typer.Option(False, "--json", help="Accepted for symmetry: always JSON."),
) -> None:
    """Print the JWKS the server publishes (public keys; --private adds private members)."""

    async def work(store: Store, config: Settings) -> dict[str, Any]:
        return await admin.export_jwks(store, config, current_time(), private=private)

    jwks = with_store(work)
    if private:
        console(stderr=True).print(
            "warning: this JWKS holds PRIVATE keys: anyone with it can sign tokens"
        )
    emit_json(jwks)


@keys_app.command("rewrap")
@guarded
def rewrap(
    to_env: str = typer.Option(
        ..., "--to-env", help="The environment variable holding the new key-encryption key."
    ),
) -> None:
    """Re-encrypt the stored signing keys under a new key-encryption key (servers stopped)."""
    new_key = os.environ.get(to_env, "").strip()
    if not new_key:
        fail("usage: the environment variable named by --to-env is not set")

    async def work(store: Store, config: Settings) -> int:
        return await admin.rewrap_signing_keys(store, config, new_key, current_time())

    count = with_store(work)
    typer.echo(f"re-encrypted {count} signing key(s)")
    console(stderr=True).print(
        "now give every server and the CLI the new GATEPASS_KEY_ENCRYPTION_KEY before they start"
    )
