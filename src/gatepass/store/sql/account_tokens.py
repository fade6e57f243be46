"""``AccountTokenStore`` on SQL: the account_tokens table.

Spending is one ``DELETE ... RETURNING`` guarded by purpose, user and expiry:
on PostgreSQL a second concurrent delete waits for the first's row lock and
then finds nothing; on SQLite ``BEGIN IMMEDIATE`` serialises the writers. So
of two concurrent uses exactly one gets the row.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import delete, insert
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from gatepass.errors import NotFoundError
from gatepass.store.account_tokens import AccountToken, AccountTokenPurpose
from gatepass.store.sql.engine import SqlPart
from gatepass.store.sql.tables import account_tokens, users

__all__ = ["SqlAccountTokenStore"]

_COLUMNS = account_tokens.c


class SqlAccountTokenStore(SqlPart):
    async def save_account_token(self, token: AccountToken) -> None:
        try:
            async with self.writing() as conn:
                await conn.execute(
                    insert(account_tokens).values(
                        token_hash=token.token_hash,
                        purpose=token.purpose,
                        user_id=token.user_id,
                        stamp=token.stamp,
                        payload=token.payload,
                        created_at=token.created_at,
                        expires_at=token.expires_at,
                    )
                )
        except IntegrityError:
            if not await self._user_exists(token.user_id):
                raise NotFoundError("No such user") from None
            raise ValueError("duplicate account token hash") from None

    async def _user_exists(self, user_id: str) -> bool:
        async with self.reading_one() as conn:
            found = await conn.execute(users.select().where(users.c.id == user_id))
            return found.first() is not None

    async def consume_account_token(
        self,
        token_hash: str,
        purpose: AccountTokenPurpose,
        *,
        now: float,
        user_id: str | None = None,
    ) -> AccountToken | None:
        spend = delete(account_tokens).where(
            _COLUMNS.token_hash == token_hash,
            _COLUMNS.purpose == purpose,
            _COLUMNS.expires_at > now,
        )
        if user_id is not None:
            spend = spend.where(_COLUMNS.user_id == user_id)
        async with self.writing() as conn:
            row = (await conn.execute(spend.returning(*account_tokens.c))).first()
        return None if row is None else _to_account_token(row)

    async def revoke_account_tokens(
        self, user_id: str, *, purpose: AccountTokenPurpose | None = None
    ) -> int:
        doomed = delete(account_tokens).where(_COLUMNS.user_id == user_id)
        if purpose is not None:
            doomed = doomed.where(_COLUMNS.purpose == purpose)
        async with self.writing() as conn:
            return int((await conn.execute(doomed)).rowcount)

    async def purge_account_tokens(self, *, now: float) -> int:
        async with self.writing() as conn:
            result = await conn.execute(delete(account_tokens).where(_COLUMNS.expires_at <= now))
        return int(result.rowcount)


def _to_account_token(row: Row[Any]) -> AccountToken:
    m = row._mapping
    return AccountToken(
        token_hash=m["token_hash"],
        purpose=cast(AccountTokenPurpose, m["purpose"]),
        user_id=m["user_id"],
        stamp=m["stamp"],
        payload=m["payload"],
        created_at=float(m["created_at"]),
        expires_at=float(m["expires_at"]),
    )
