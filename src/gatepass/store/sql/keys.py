"""``KeyStore`` on SQL: the signing_keys table."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.errors import InvalidKeyError, NotFoundError
from gatepass.store.records import KeyStatus, SigningKey
from gatepass.store.sql import rows
from gatepass.store.sql.engine import SqlPart, serialise
from gatepass.store.sql.tables import signing_keys
from gatepass.store.validation import check_key_status

__all__ = ["SqlKeyStore"]

# The PostgreSQL advisory lock that serialises the first key's check and insert.
_KEYS_LOCK = int.from_bytes(b"gp:keys", "big")


class SqlKeyStore(SqlPart):
    async def add_signing_key(self, key: SigningKey) -> None:
        check_key_status(key.status)
        try:
            async with self.writing() as conn:
                await _insert_key(conn, key)
        except IntegrityError:
            raise InvalidKeyError("A signing key with this kid already exists") from None

    async def add_first_signing_key(self, key: SigningKey) -> bool:
        check_key_status(key.status)
        active = select(signing_keys.c.kid).where(signing_keys.c.status == "active").limit(1)
        try:
            async with self.writing() as conn:  # SQLite: BEGIN IMMEDIATE serialises writers
                await serialise(conn, _KEYS_LOCK)
                if (await conn.execute(active)).first() is not None:
                    return False
                await _insert_key(conn, key)
                return True
        except IntegrityError:
            raise InvalidKeyError("A signing key with this kid already exists") from None

    async def list_signing_keys(
        self, *, statuses: Collection[KeyStatus] | None = None
    ) -> list[SigningKey]:
        query = select(signing_keys).order_by(signing_keys.c.created_at, signing_keys.c.kid)
        if statuses is not None:
            query = query.where(signing_keys.c.status.in_(list(statuses)))
        async with self.reading_one() as conn:
            return [rows.to_key(r) for r in await conn.execute(query)]

    async def set_signing_key_status(
        self, kid: str, status: KeyStatus, *, retire_at: float | None = None
    ) -> SigningKey:
        check_key_status(status)
        values: dict[str, Any] = {"status": status}
        if retire_at is not None:
            values["retire_at"] = retire_at
        async with self.writing() as conn:
            await conn.execute(update(signing_keys).where(signing_keys.c.kid == kid).values(values))
            row = (
                await conn.execute(select(signing_keys).where(signing_keys.c.kid == kid))
            ).first()
        if row is None:
            raise NotFoundError("No such signing key")
        return rows.to_key(row)

    async def replace_private_jwk(self, kid: str, *, expected: str, private_jwk: str) -> bool:
        async with self.writing() as conn:
            result = await conn.execute(
                update(signing_keys)
                .where(signing_keys.c.kid == kid, signing_keys.c.private_jwk == expected)
                .values(private_jwk=private_jwk)
            )
        return bool(result.rowcount)


async def _insert_key(conn: AsyncConnection, key: SigningKey) -> None:
    await conn.execute(
        insert(signing_keys).values(
            kid=key.kid,
            alg=key.alg,
            private_jwk=key.private_jwk,
            public_jwk=key.public_jwk,
            status=key.status,
            created_at=key.created_at,
            retire_at=key.retire_at,
        )
    )
