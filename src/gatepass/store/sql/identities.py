"""``IdentityStore`` on SQL: the identities table (``(provider, subject)`` unique)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from gatepass.errors import IdentityExistsError, NotFoundError
from gatepass.store.identities import Identity
from gatepass.store.records import new_id
from gatepass.store.sql.engine import SqlPart, unstorable
from gatepass.store.sql.tables import identities, users

__all__ = ["SqlIdentityStore"]

_ID = identities.c


class SqlIdentityStore(SqlPart):
    async def add_identity(
        self, user_id: str, provider: str, subject: str, *, email: str | None, now: float
    ) -> Identity:
        if unstorable(user_id):
            raise NotFoundError("No such user")
        identity = Identity(new_id(), provider, subject, user_id, email, now, now)
        try:
            async with self.writing() as conn:
                owner = await conn.execute(select(users.c.id).where(users.c.id == user_id))
                if owner.first() is None:
                    raise NotFoundError("No such user")
                await conn.execute(
                    insert(identities).values(
                        id=identity.id,
                        provider=provider,
                        subject=subject,
                        user_id=user_id,
                        email=email,
                        created_at=now,
                        last_login_at=now,
                    )
                )
        except IntegrityError:  # the unique (provider, subject) index
            raise IdentityExistsError() from None
        return identity

    async def get_identity(self, provider: str, subject: str) -> Identity | None:
        if unstorable(provider) or unstorable(subject):
            return None
        query = select(identities).where(_ID.provider == provider, _ID.subject == subject)
        async with self.reading_one() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _to_identity(row)

    async def list_identities(self, user_id: str) -> list[Identity]:
        if unstorable(user_id):
            return []
        query = select(identities).where(_ID.user_id == user_id).order_by(_ID.created_at, _ID.id)
        async with self.reading_one() as conn:
            return [_to_identity(r) for r in await conn.execute(query)]

    async def touch_identity(self, identity_id: str, *, now: float) -> None:
        if unstorable(identity_id):
            return
        async with self.writing() as conn:
            await conn.execute(
                update(identities).where(_ID.id == identity_id).values(last_login_at=now)
            )

    async def delete_identity(self, user_id: str, identity_id: str) -> bool:
        if unstorable(user_id) or unstorable(identity_id):
            return False
        async with self.writing() as conn:
            gone = await conn.execute(
                delete(identities).where(_ID.id == identity_id, _ID.user_id == user_id)
            )
        return bool(gone.rowcount == 1)


def _to_identity(row: Row[Any]) -> Identity:
    m = row._mapping
    return Identity(
        id=m["id"],
        provider=m["provider"],
        subject=m["subject"],
        user_id=m["user_id"],
        email=m["email"],
        created_at=float(m["created_at"]),
        last_login_at=float(m["last_login_at"]),
    )
