"""``FactorStore`` on SQL: the totp_factors and recovery_codes tables.

Accepting a step is one ``UPDATE ... WHERE last_step < step`` and spending a
recovery code one ``DELETE``: on PostgreSQL a second concurrent statement
waits for the first's row lock and then finds nothing to change; on SQLite
``BEGIN IMMEDIATE`` serialises the writers. So of two requests with one code,
exactly one wins.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.errors import NotFoundError
from gatepass.store.factors import SecondFactors, TotpFactor
from gatepass.store.sql.engine import SqlPart, unstorable
from gatepass.store.sql.tables import passkeys, recovery_codes, totp_factors

__all__ = ["SqlFactorStore"]

_TOTP = totp_factors.c
_CODES = recovery_codes.c


class SqlFactorStore(SqlPart):
    async def save_totp(self, factor: TotpFactor) -> None:
        if unstorable(factor.user_id):
            raise NotFoundError("No such user")
        try:
            async with self.writing() as conn:
                current = (
                    await conn.execute(
                        select(_TOTP.confirmed).where(_TOTP.user_id == factor.user_id)
                    )
                ).scalar_one_or_none()
                if current:
                    raise ValueError("the user's TOTP factor is confirmed")
                await conn.execute(delete(totp_factors).where(_TOTP.user_id == factor.user_id))
                await conn.execute(
                    insert(totp_factors).values(
                        user_id=factor.user_id,
                        sealed_secret=factor.sealed_secret,
                        confirmed=factor.confirmed,
                        created_at=factor.created_at,
                        last_step=factor.last_step,
                    )
                )
        except IntegrityError:  # the foreign key: no such user
            raise NotFoundError("No such user") from None

    async def get_totp(self, user_id: str) -> TotpFactor | None:
        if unstorable(user_id):
            return None
        async with self.reading_one() as conn:
            row = (await conn.execute(select(totp_factors).where(_TOTP.user_id == user_id))).first()
        return None if row is None else _to_factor(row)

    async def second_factors(self, user_id: str) -> SecondFactors:
        if unstorable(user_id):
            return SecondFactors(totp=False, passkeys=0)
        totp_on = select(_TOTP.confirmed).where(_TOTP.user_id == user_id).scalar_subquery()
        count = (
            select(func.count())
            .select_from(passkeys)
            .where(passkeys.c.user_id == user_id)
            .scalar_subquery()
        )
        async with self.reading_one() as conn:
            row = (await conn.execute(select(totp_on, count))).one()
        return SecondFactors(totp=bool(row[0]), passkeys=int(row[1]))

    async def confirm_totp(
        self, user_id: str, *, step: int, recovery_hashes: Collection[str]
    ) -> bool:
        if unstorable(user_id):
            return False
        async with self.writing() as conn:
            confirmed = await conn.execute(
                update(totp_factors)
                .where(_TOTP.user_id == user_id, _TOTP.confirmed.is_(False))
                .values(confirmed=True, last_step=step)
            )
            if confirmed.rowcount != 1:
                return False
            await _replace_codes(conn, user_id, recovery_hashes)
        return True

    async def accept_totp_step(self, user_id: str, step: int) -> bool:
        if unstorable(user_id):
            return False
        async with self.writing() as conn:
            accepted = await conn.execute(
                update(totp_factors)
                .where(
                    _TOTP.user_id == user_id,
                    or_(_TOTP.last_step.is_(None), _TOTP.last_step < step),
                )
                .values(last_step=step)
            )
        return bool(accepted.rowcount == 1)

    async def delete_totp(self, user_id: str) -> bool:
        if unstorable(user_id):
            return False
        async with self.writing() as conn:
            await conn.execute(delete(recovery_codes).where(_CODES.user_id == user_id))
            gone = await conn.execute(delete(totp_factors).where(_TOTP.user_id == user_id))
        return bool(gone.rowcount == 1)

    async def replace_recovery_codes(self, user_id: str, hashes: Collection[str]) -> None:
        if unstorable(user_id):
            raise NotFoundError("No such user")
        try:
            async with self.writing() as conn:
                await _replace_codes(conn, user_id, hashes)
        except IntegrityError:
            raise NotFoundError("No such user") from None

    async def consume_recovery_code(self, user_id: str, code_hash: str) -> bool:
        if unstorable(user_id) or unstorable(code_hash):
            return False
        async with self.writing() as conn:
            spent = await conn.execute(
                delete(recovery_codes).where(
                    _CODES.user_id == user_id, _CODES.code_hash == code_hash
                )
            )
        return bool(spent.rowcount == 1)

    async def count_recovery_codes(self, user_id: str) -> int:
        if unstorable(user_id):
            return 0
        query = select(func.count()).select_from(recovery_codes).where(_CODES.user_id == user_id)
        async with self.reading_one() as conn:
            return int((await conn.execute(query)).scalar_one())


async def _replace_codes(conn: AsyncConnection, user_id: str, hashes: Collection[str]) -> None:
    await conn.execute(delete(recovery_codes).where(_CODES.user_id == user_id))
    if hashes:
        await conn.execute(
            insert(recovery_codes), [{"user_id": user_id, "code_hash": h} for h in set(hashes)]
        )


def _to_factor(row: Row[Any]) -> TotpFactor:
    m = row._mapping
    return TotpFactor(
        user_id=m["user_id"],
        sealed_secret=bytes(m["sealed_secret"]),
        confirmed=bool(m["confirmed"]),
        created_at=float(m["created_at"]),
        last_step=None if m["last_step"] is None else int(m["last_step"]),
    )
