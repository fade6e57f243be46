"""The ``gatepass`` command line (typer + rich): one module per command group.

User errors are one line on stderr and a non-zero exit (see
``gatepass.cli.runtime`` and docs/cli.md for the exit codes).
"""

from __future__ import annotations

import typer

from gatepass.cli.keys import keys_app
from gatepass.cli.mail import mail_app
from gatepass.cli.secret import secret_app
from gatepass.cli.server import db_app, serve
from gatepass.cli.sessions import sessions_app
from gatepass.cli.token import token_app
from gatepass.cli.users import users_app

__all__ = ["app", "main"]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="gatepass: JWT auth, done right.",
)
app.command("serve")(serve)
app.add_typer(token_app, name="token")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.add_typer(sessions_app, name="sessions")
app.add_typer(secret_app, name="secret")
app.add_typer(db_app, name="db")
app.add_typer(mail_app, name="mail")


def main() -> None:
    """Console entry point: click's usage errors become one line too (exit 2)."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # click's ClickException, vendored by typer
        message = exc.format_message()
        if "\n" in message:  # a group called without a command: its help is the answer
            typer.echo(message)
        else:
            typer.echo(f"gatepass: usage: {_without_values(message)} (see --help)", err=True)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        typer.echo("gatepass: aborted", err=True)
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def _without_values(message: str) -> str:
    """Never repeat stray arguments: they may be a password typed on the command line."""
    if message.startswith("Got unexpected extra argument"):
        return (
            "unexpected extra arguments (passwords and secrets come from a prompt, stdin"
            " or an environment variable, never from the command line)"
        )
    return message
