"""``UserStore`` on SQL: the users table."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.errors import NotFoundError, UserExistsError
from gatepass.store.records import User, email_lookup_key, new_id, normalise_email
from gatepass.store.sql import rows
from gatepass.store.sql.engine import SqlPart, unstorable
from gatepass.store.sql.tables import users
from gatepass.store.validation import page

__all__ = ["SqlUserStore", "select_user"]


class SqlUserStore(SqlPart):
    async def create_user(
        self, email: str, password_hash: str, *, now: float, role: str = "user"
    ) -> User:
        user = User(new_id(), normalise_email(email), password_hash, role, False, now)
        try:
            async with self.writing() as conn:
                await conn.execute(
                    insert(users).values(
                        id=user.id,
                        email=user.email,
                        password_hash=user.password_hash,
                        role=user.role,
                        disabled=user.disabled,
                        created_at=user.created_at,
                    )
                )
        except IntegrityError:
            raise UserExistsError() from None
        return user

    async def get_user(self, user_id: str) -> User | None:
        if unstorable(user_id):
            return None
        async with self.reading() as conn:
            return await select_user(conn, user_id)

    async def get_user_by_email(self, email: str) -> User | None:
        if unstorable(email):
            return None
        query = select(users).where(users.c.email == email_lookup_key(email))
        async with self.reading() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else rows.to_user(row)

    async def update_user(
        self,
        user_id: str,
        *,
        password_hash: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
    ) -> User:
        if unstorable(user_id):
            raise NotFoundError("No such user")
        changes = {
            "password_hash": password_hash,
            "role": role,
            "disabled": disabled,
        }
        values = {k: v for k, v in changes.items() if v is not None}
        async with self.writing() as conn:
            if values:
                await conn.execute(update(users).where(users.c.id == user_id).values(**values))
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        if row is None:
            raise NotFoundError("No such user")
        return rows.to_user(row)

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        limit, offset = page(limit, offset)
        query = select(users).order_by(users.c.created_at, users.c.id).limit(limit).offset(offset)
        async with self.reading() as conn:
            return [rows.to_user(r) for r in await conn.execute(query)]


async def select_user(conn: AsyncConnection, user_id: str) -> User | None:
    """The user, read inside the caller's transaction (a refresh reads it with its rows)."""
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    return None if row is None else rows.to_user(row)
