"""Rendering: JSON for machines (``--json``), rich for people, times in words.

``--json`` prints one JSON document (orjson, sorted keys) and nothing else on
stdout. The human output goes through rich with markup and highlighting off,
so text from a token or the database is never read as markup, and control
characters are escaped before printing (no terminal escape sequences from
attacker-chosen claims). ``NO_COLOR`` is honoured (rich reads it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = [
    "console",
    "emit_json",
    "in_words",
    "relative",
    "safe",
    "show_table",
    "timestamp",
]


def console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr) that never interprets what it prints."""
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON with sorted keys (stable for scripts)."""
    text = orjson.dumps(
        data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    )
    typer.echo(text.decode("utf-8"))


def safe(value: object) -> str:
    """``value`` as text with control characters escaped (``\\x1b`` stays visible)."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def timestamp(at: float | None) -> str:
    """An epoch time as ``YYYY-MM-DD HH:MM:SS UTC`` (``-`` for none)."""
    if at is None:
        return "-"
    try:
        moment = dt.datetime.fromtimestamp(at, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return "out of range"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def in_words(seconds: float) -> str:
    """A duration, rounded: ``45 s``, ``12 min``, ``3 h``, ``2 days``."""
    seconds = abs(seconds)
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    if seconds < 730 * 86400:
        return f"{round(seconds / 86400)} days"
    return f"{round(seconds / (365.25 * 86400))} years"


def relative(at: float, now: float) -> str:
    """``in 12 min`` or ``12 min ago``."""
    words = in_words(at - now)
    return f"in {words}" if at >= now else f"{words} ago"


def show_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A rich table on stdout; every cell escaped."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(safe(cell)) for cell in row))
    console().print(table)
