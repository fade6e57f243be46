"""What every command shares: exit codes, one-line errors, settings and the store.

Exit codes (docs/cli.md):

- ``0``: done; the token is valid; the audit found nothing of high severity;
- ``1``: the token is invalid, verification failed, or the audit found a high
  severity problem; the secret is weak;
- ``2``: a usage or input error (bad arguments, a malformed token, an unreadable
  key file, an unknown user, a configuration error);
- ``3``: a service is unreachable (the database, a JWKS URL).

An error is one line on stderr (``gatepass: <code>: <message>``), never a
traceback. Messages come from ``gatepass.errors`` or are fixed text here: they
never repeat a token, a key or a password.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn, ParamSpec, TypeVar

import typer

from gatepass.clock import Clock, system_clock
from gatepass.errors import ConfigError, GatepassError, ServiceUnavailableError
from gatepass.settings import Settings
from gatepass.store.protocols import Store

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "MAX_OFFSET",
    "clock",
    "current_time",
    "fail",
    "guarded",
    "open_migrated",
    "read_password",
    "read_stdin",
    "settings",
    "with_store",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3
#: The largest ``--offset``: SQL's 64-bit integer (a larger one overflows the driver).
MAX_OFFSET = 2**63 - 1
#: The most a command reads from stdin (a token, a secret, a claims object).
MAX_STDIN_BYTES = 1 << 20

#: What every command takes as "now"; a test replaces it (``monkeypatch.setattr``).
clock: Clock = system_clock

P = ParamSpec("P")
T = TypeVar("T")


def current_time() -> float:
    """Seconds since the epoch by ``clock``, looked up at each call (so a replacement is seen)."""
    return clock()


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line on stderr and exit with ``code``."""
    typer.echo(f"gatepass: {message}", err=True)
    raise typer.Exit(code)


def guarded(command: Callable[P, T]) -> Callable[P, T]:
    """Turn gatepass and I/O errors into one line and an exit code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return command(*args, **kwargs)
        except ServiceUnavailableError as exc:
            fail(str(exc), EXIT_UNAVAILABLE)
        except GatepassError as exc:
            fail(str(exc), EXIT_USAGE)
        except UnicodeError:  # its text quotes the offending characters: never repeat them
            fail("invalid_argument: the input is not valid UTF-8 text", EXIT_USAGE)
        except ValueError as exc:  # the store's paging checks: fixed text
            fail(f"invalid_argument: {exc}", EXIT_USAGE)
        except OSError as exc:
            fail(f"io_error: {exc.strerror or type(exc).__name__}", EXIT_USAGE)

    return run


def settings() -> Settings:
    """``Settings.from_env()``; a bad variable is a ConfigError (one line, exit 2)."""
    return Settings.from_env()


#: A database URL the drivers cannot use, said without repeating any of it (it may
#: hold a password, and the drivers' own messages quote the part they choke on).
BAD_DATABASE_URL = (
    "GATEPASS_DATABASE_URL is not a usable database URL (check its host, its port and"
    " its query parameters)"
)


async def open_migrated(database_url: str) -> Store:
    """The store at ``database_url``, migrated; a URL the drivers refuse is a ConfigError.

    ``async_url`` refuses what the URL itself shows (a port that is not a number
    or out of range, query options asyncpg does not take). What only the driver
    finds at the first connection comes as a ValueError, TypeError or
    OverflowError whose text may quote the URL: it is replaced by a fixed line.
    """
    from gatepass.store import open_store

    try:
        store = open_store(database_url)
    except (ValueError, TypeError, OverflowError):
        raise ConfigError(BAD_DATABASE_URL) from None
    try:
        await store.migrate()
    except (ValueError, TypeError, OverflowError):
        await store.close()
        raise ConfigError(BAD_DATABASE_URL) from None
    except BaseException:
        await store.close()
        raise
    return store


def with_store(work: Callable[[Store, Settings], Awaitable[T]]) -> T:
    """Open the configured store (migrated), run ``work`` on it, close it."""
    config = settings()

    async def run() -> T:
        store = await open_migrated(config.database_url)
        try:
            return await work(store, config)
        finally:
            await store.close()

    return asyncio.run(run())


def read_stdin(what: str) -> str:
    """All of stdin (capped), stripped; refuses a terminal with nothing piped in."""
    if sys.stdin is None or sys.stdin.isatty():
        fail(f"usage: pipe the {what} into stdin")
    data = sys.stdin.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        fail(f"input_too_large: the {what} on stdin is larger than {MAX_STDIN_BYTES} bytes")
    return data.strip()


def read_password() -> str:
    """From a hidden prompt on a terminal, else the first line of stdin; never argv."""
    if sys.stdin is not None and sys.stdin.isatty():
        value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        value = sys.stdin.readline(4096).rstrip("\n") if sys.stdin is not None else ""
    if not 8 <= len(value) <= 1024:
        fail("invalid_password: the password must be 8 to 1024 characters")
    return value
