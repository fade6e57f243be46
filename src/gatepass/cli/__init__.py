"""The ``gatepass`` command line (typer)."""

from __future__ import annotations

import secrets
import sys

import typer

from gatepass.errors import GatepassError

__all__ = ["app", "main"]

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="gatepass: JWT auth, done right."
)
db = typer.Typer(no_args_is_help=True, help="Database commands.")
app.add_typer(db, name="db")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to bind (GATEPASS_HOST)."),
    port: int | None = typer.Option(None, help="Port (GATEPASS_PORT)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Run the auth server (SQLite at ./gatepass.db unless GATEPASS_DATABASE_URL says otherwise)."""
    import uvicorn

    from gatepass.settings import Settings

    settings = Settings.from_env()
    uvicorn.run(
        "gatepass.server:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=False,
    )


@app.command()
def secret() -> None:
    """Print a fresh 256-bit secret for GATEPASS_JWT_SECRET."""
    typer.echo(secrets.token_urlsafe(32))


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    from gatepass.settings import Settings
    from gatepass.store import upgrade

    upgrade(Settings.from_env().database_url)
    typer.echo("database is up to date")


def main() -> None:
    """Console entry point: user errors are one line and a non-zero exit, never a traceback."""
    try:
        app()
    except GatepassError as exc:
        typer.echo(f"gatepass: {exc}", err=True)
        sys.exit(2)
