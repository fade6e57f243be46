"""A refresh's read: the token, its session and their user, locked, in ONE statement.

The lock order of every writer holds: the token row, then its session
(PostgreSQL: ``FOR UPDATE OF`` both; SQLite: ``BEGIN IMMEDIATE`` already holds
the write lock). ``rotation_write`` then writes what the decision says.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.store.records import RefreshToken, Session, User
from gatepass.store.sql import rows
from gatepass.store.sql.tables import refresh_tokens, sessions, users

__all__ = ["read_rotation"]

_PARTS: Final = (("t_", refresh_tokens), ("s_", sessions), ("u_", users))
_ROTATION_READ: Final = (
    select(*(c.label(prefix + c.name) for prefix, table in _PARTS for c in table.c))
    .join_from(refresh_tokens, sessions, refresh_tokens.c.session_id == sessions.c.id)
    .join(users, sessions.c.user_id == users.c.id)
    # PostgreSQL: FOR UPDATE OF the token and its session (the lock order of every
    # writer: token, then session); SQLite's BEGIN IMMEDIATE holds the write lock.
    .with_for_update(of=[refresh_tokens, sessions])
)


class _Part:
    """One table's columns of a joined row, under their own names (``rows.Columns``)."""

    def __init__(self, row: Row[Any], prefix: str) -> None:
        n = len(prefix)
        self._mapping = {k[n:]: v for k, v in row._mapping.items() if k.startswith(prefix)}


async def read_rotation(
    conn: AsyncConnection, token_hash: str
) -> tuple[RefreshToken | None, Session | None, User | None]:
    """The token, its session and their user, locked, in ONE statement (a refresh's read)."""
    query = _ROTATION_READ.where(refresh_tokens.c.token_hash == token_hash)
    row = (await conn.execute(query)).first()
    if row is None:  # a token always has its session and user (foreign keys, cascades)
        return None, None, None
    return (
        rows.to_token(_Part(row, "t_")),
        rows.to_session(_Part(row, "s_")),
        rows.to_user(_Part(row, "u_")),
    )
