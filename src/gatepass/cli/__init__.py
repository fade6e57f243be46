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
users = typer.Typer(no_args_is_help=True, help="User accounts.")
app.add_typer(db, name="db")
app.add_typer(users, name="users")


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


def _read_password() -> str:
    """From a hidden prompt on a terminal, else the first line of stdin; never argv."""
    if sys.stdin.isatty():
        value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return value
    return sys.stdin.readline().rstrip("\n")


@users.command("add")
def users_add(
    email: str = typer.Argument(..., help="The new user's email."),
    role: str = typer.Option("user", help="The user's role claim."),
) -> None:
    """Create a user; the password is read from a prompt or stdin, never the command line."""
    import asyncio
    import time

    from gatepass.server.passwords import Passwords
    from gatepass.settings import Settings
    from gatepass.store import open_store

    password = _read_password()
    if not 8 <= len(password) <= 1024:
        raise typer.BadParameter("the password must be 8 to 1024 characters")
    settings = Settings.from_env()

    async def add() -> str:
        store = open_store(settings.database_url)
        try:
            await store.migrate()
            hashed = await Passwords(settings).hash(password)
            user = await store.create_user(email.strip(), hashed, now=time.time(), role=role)
            return user.id
        finally:
            await store.close()

    typer.echo(f"created user {asyncio.run(add())}")


def main() -> None:
    """Console entry point: user errors are one line and a non-zero exit, never a traceback."""
    try:
        app()
    except GatepassError as exc:
        typer.echo(f"gatepass: {exc}", err=True)
        sys.exit(2)
