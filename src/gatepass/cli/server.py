"""``gatepass serve`` and ``gatepass db upgrade``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Annotated

import typer

from gatepass.cli.runners import RUNNERS, HttpServer, Launch
from gatepass.cli.runtime import guarded, open_migrated, settings
from gatepass.settings import Settings

__all__ = ["db_app", "serve"]

db_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Database commands.")


@guarded
def serve(
    host: str | None = typer.Option(None, help="Interface to bind (GATEPASS_HOST)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (GATEPASS_PORT)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
    server: Annotated[
        HttpServer,
        typer.Option(help="HTTP server (both hold the request-head limits)."),
    ] = HttpServer.granian,
) -> None:
    """Run the auth server (SQLite at ./gatepass.db unless GATEPASS_DATABASE_URL says otherwise)."""
    config = settings()
    from gatepass.store.factory import check_database_url

    check_database_url(config.database_url)  # a refused URL: one line now, not a startup traceback
    asyncio.run(check_keys_at_rest(config))  # a missing or wrong KEK too
    from gatepass.server.mailer import check_mail_for_production

    check_mail_for_production(config)  # production without SMTP or GATEPASS_MAIL=off
    host, port = host or config.host, port or config.port
    if not os.environ.get("GATEPASS_ISSUER", "").strip():
        # Tokens, JWKS and discovery name the address this server really listens on.
        os.environ["GATEPASS_ISSUER"] = default_issuer(host, port)
    RUNNERS[server](
        Launch(
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_level=config.log_level,
            max_header_bytes=config.max_header_bytes,
            header_timeout=config.header_timeout,
        )
    )


async def check_keys_at_rest(config: Settings) -> None:
    """What the server's start would refuse about the key-encryption key, before it starts.

    Also makes the key file on a first start, before ``--workers`` race for it.
    """
    if config.jwt_secret is not None:
        return  # HS256: no stored keys
    from gatepass.kek import key_encryption_key

    store = await open_migrated(config.database_url)
    try:
        await key_encryption_key(config, store)
    finally:
        await store.close()


def default_issuer(host: str, port: int) -> str:
    """``http://<host>:<port>`` of this server (loopback for a wildcard bind)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (naming, not binding)
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@db_app.command("upgrade")
@guarded
def db_upgrade() -> None:
    """Migrate the database to the latest schema; prints what a migration reports."""
    url = settings().database_url

    async def upgrade() -> None:
        await (await open_migrated(url)).close()

    # A migration's warnings (emails that collide when folded: 0002) go to stderr.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("gatepass: warning: %(message)s"))
    handler.setLevel(logging.WARNING)
    store_log = logging.getLogger("gatepass.store")
    store_log.addHandler(handler)
    try:
        asyncio.run(upgrade())
    finally:
        store_log.removeHandler(handler)
    typer.echo("database is up to date")
