"""``UserStore`` on SQL: the users table."""

from __future__ import annotations

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gatepass.errors import NotFoundError, UserExistsError
from gatepass.store.records import User, email_lookup_key, new_id, normalise_email
from gatepass.store.sql import rows
from gatepass.store.sql.engine import SqlPart, unstorable
from gatepass.store.sql.tables import (
    account_tokens,
    audit_events,
    identities,
    mail_outbox,
    passkey_challenges,
    passkeys,
    recovery_codes,
    refresh_tokens,
    sessions,
    totp_factors,
    users,
)
from gatepass.store.validation import page

__all__ = ["SqlUserStore", "select_user"]


class SqlUserStore(SqlPart):
    async def create_user(
        self,
        email: str,
        password_hash: str,
        *,
        now: float,
        role: str = "user",
        email_verified: bool = False,
    ) -> User:
        user = User(
            new_id(), normalise_email(email), password_hash, role, False, now, email_verified
        )
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
                        email_verified=user.email_verified,
                    )
                )
        except IntegrityError:
            raise UserExistsError() from None
        return user

    async def get_user(self, user_id: str) -> User | None:
        if unstorable(user_id):
            return None
        async with self.reading_one() as conn:
            return await select_user(conn, user_id)

    async def get_user_by_email(self, email: str) -> User | None:
        if unstorable(email):
            return None
        query = select(users).where(users.c.email == email_lookup_key(email))
        async with self.reading_one() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else rows.to_user(row)

    async def update_user(
        self,
        user_id: str,
        *,
        password_hash: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
        email: str | None = None,
        email_verified: bool | None = None,
    ) -> User:
        if email is not None:
            email = normalise_email(email)
        if unstorable(user_id):
            raise NotFoundError("No such user")
        changes = {
            "password_hash": password_hash,
            "role": role,
            "disabled": disabled,
            "email": email,
            "email_verified": email_verified,
        }
        values = {k: v for k, v in changes.items() if v is not None}
        try:
            async with self.writing() as conn:
                if values:
                    await conn.execute(update(users).where(users.c.id == user_id).values(**values))
                row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        except IntegrityError:  # the unique index: another user holds the address
            raise UserExistsError() from None
        if row is None:
            raise NotFoundError("No such user")
        return rows.to_user(row)

    async def delete_user(self, user_id: str, *, now: float) -> bool:
        if unstorable(user_id):
            return False
        async with self.writing() as conn:
            # The row lock makes a concurrent delete wait, then find nothing.
            locked = select(users.c.email).where(users.c.id == user_id).with_for_update()
            email = (await conn.execute(locked)).scalar_one_or_none()
            if email is None:
                return False
            await _erase_belongings(conn, user_id, email)
            await conn.execute(delete(users).where(users.c.id == user_id))
        return True

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        limit, offset = page(limit, offset)
        query = select(users).order_by(users.c.created_at, users.c.id).limit(limit).offset(offset)
        async with self.reading_one() as conn:
            return [rows.to_user(r) for r in await conn.execute(query)]


async def select_user(conn: AsyncConnection, user_id: str) -> User | None:
    """The user, read inside the caller's transaction (a refresh reads it with its rows)."""
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    return None if row is None else rows.to_user(row)


async def _erase_belongings(conn: AsyncConnection, user_id: str, email: str) -> None:
    """What ``delete_user`` takes with the user (see ``UserStore.delete_user``).

    Explicit deletes rather than the foreign keys' cascades: the audit rows of
    the sessions are scrubbed before the sessions go, and nothing depends on
    SQLite's ``foreign_keys`` pragma."""
    own_sessions = select(sessions.c.id).where(sessions.c.user_id == user_id)
    await conn.execute(
        update(audit_events)
        .where(or_(audit_events.c.user_id == user_id, audit_events.c.session_id.in_(own_sessions)))
        .values(ip=None, user_agent=None, detail="{}")
    )
    await conn.execute(delete(refresh_tokens).where(refresh_tokens.c.session_id.in_(own_sessions)))
    await conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
    await conn.execute(delete(account_tokens).where(account_tokens.c.user_id == user_id))
    await conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    await conn.execute(delete(totp_factors).where(totp_factors.c.user_id == user_id))
    await conn.execute(delete(identities).where(identities.c.user_id == user_id))
    await conn.execute(delete(passkeys).where(passkeys.c.user_id == user_id))
    await conn.execute(delete(passkey_challenges).where(passkey_challenges.c.user_id == user_id))
    await conn.execute(
        delete(mail_outbox).where(
            mail_outbox.c.recipient == email, mail_outbox.c.status.in_(("sent", "failed"))
        )
    )
