"""``gatepass secret [generate|check]``: make a strong secret, rate an existing one.

``gatepass secret`` alone prints a fresh secret, like ``generate``.

``check`` reads the value from stdin or an environment variable, never from
the command line (argv lands in shell history and in ``ps``). The rules are
the ones ``Settings`` applies to ``GATEPASS_JWT_SECRET``.
"""

from __future__ import annotations

import os
import secrets

import typer

from gatepass.cli.output import emit_json
from gatepass.cli.runtime import EXIT_INVALID, fail, guarded, read_stdin
from gatepass.errors import ConfigError
from gatepass.secret import MIN_SECRET_BYTES, check_secret_strength, entropy_bits

__all__ = ["secret_app"]

secret_app = typer.Typer(rich_markup_mode=None, help="Generate and check JWT secrets.")


@secret_app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    """Without a subcommand: print a fresh secret, as ``gatepass secret generate``."""
    if ctx.invoked_subcommand is None:
        typer.echo(secrets.token_urlsafe(32))


@secret_app.command("generate")
@guarded
def generate(
    size: int = typer.Option(
        32, "--bytes", min=MIN_SECRET_BYTES, max=1024, help="Random bytes (at least 32)."
    ),
) -> None:
    """Print a fresh random secret (base64url) for GATEPASS_JWT_SECRET."""
    typer.echo(secrets.token_urlsafe(size))


@secret_app.command("check")
@guarded
def check(
    env: str | None = typer.Option(
        None, "--env", help="Read the secret from this environment variable (else stdin)."
    ),
    json: bool = typer.Option(False, "--json", help="Print JSON only (stable keys)."),
) -> None:
    """Rate a secret: length, entropy, well-known values. Exit 1 when it is weak."""
    if env is not None:
        value = os.environ.get(env, "")
        if not value:
            fail("usage: the environment variable named by --env is not set")
    else:
        value = read_stdin("secret")
    problem: str | None = None
    try:
        check_secret_strength(value, "the secret")
    except ConfigError as exc:
        problem = exc.message
    size = len(value.encode("utf-8"))
    entropy = round(entropy_bits(value), 1)
    if json:
        emit_json(
            {"ok": problem is None, "bytes": size, "entropy_bits": entropy, "problem": problem}
        )
    elif problem is None:
        typer.echo(f"strong: {size} bytes, about {entropy} bits by character counts")
    else:
        typer.echo(f"weak: {problem}")
    if problem is not None:
        raise typer.Exit(EXIT_INVALID)
