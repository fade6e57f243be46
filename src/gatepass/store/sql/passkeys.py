"""``PasskeyStore`` on SQL: the passkeys and passkey_challenges tables.

Recording an assertion is one ``UPDATE ... WHERE sign_count = seen`` and
spending a challenge one ``DELETE ... RETURNING``: on PostgreSQL a second
concurrent statement waits for the first's row lock and then finds nothing to
change; on SQLite ``BEGIN IMMEDIATE`` serialises the writers.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from gatepass.errors import NotFoundError, PasskeyExistsError
from gatepass.store.passkeys import Ceremony, Passkey, PasskeyChallenge
from gatepass.store.sql.engine import SqlPart, unstorable
from gatepass.store.sql.tables import passkey_challenges, passkeys, users

__all__ = ["SqlPasskeyStore"]

_KEYS = passkeys.c
_CHALLENGES = passkey_challenges.c


class SqlPasskeyStore(SqlPart):
    async def add_passkey(self, passkey: Passkey) -> None:
        if unstorable(passkey.user_id):
            raise NotFoundError("No such user")
        try:
            async with self.writing() as conn:
                await conn.execute(
                    insert(passkeys).values(
                        id=passkey.id,
                        user_id=passkey.user_id,
                        credential_id=passkey.credential_id,
                        public_key=passkey.public_key,
                        sign_count=passkey.sign_count,
                        transports=" ".join(passkey.transports),
                        backup_eligible=passkey.backup_eligible,
                        backup_state=passkey.backup_state,
                        aaguid=passkey.aaguid,
                        name=passkey.name,
                        created_at=passkey.created_at,
                        last_used_at=passkey.last_used_at,
                    )
                )
        except IntegrityError:
            if not await self._user_exists(passkey.user_id):
                raise NotFoundError("No such user") from None
            raise PasskeyExistsError() from None

    async def _user_exists(self, user_id: str) -> bool:
        async with self.reading_one() as conn:
            found = await conn.execute(select(users.c.id).where(users.c.id == user_id))
            return found.first() is not None

    async def get_passkey_by_credential(self, credential_id: bytes) -> Passkey | None:
        async with self.reading_one() as conn:
            query = select(passkeys).where(_KEYS.credential_id == credential_id)
            row = (await conn.execute(query)).first()
        return None if row is None else _to_passkey(row)

    async def list_passkeys(self, user_id: str) -> list[Passkey]:
        if unstorable(user_id):
            return []
        query = select(passkeys).where(_KEYS.user_id == user_id)
        async with self.reading_one() as conn:
            found = await conn.execute(query.order_by(_KEYS.created_at, _KEYS.id))
            return [_to_passkey(r) for r in found]

    async def count_passkeys(self, user_id: str) -> int:
        if unstorable(user_id):
            return 0
        query = select(func.count()).select_from(passkeys).where(_KEYS.user_id == user_id)
        async with self.reading_one() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def rename_passkey(self, user_id: str, passkey_id: str, name: str) -> Passkey | None:
        if unstorable(user_id) or unstorable(passkey_id):
            return None
        change = (
            update(passkeys)
            .where(_KEYS.id == passkey_id, _KEYS.user_id == user_id)
            .values(name=name)
            .returning(*passkeys.c)
        )
        async with self.writing() as conn:
            row = (await conn.execute(change)).first()
        return None if row is None else _to_passkey(row)

    async def delete_passkey(self, user_id: str, passkey_id: str) -> bool:
        if unstorable(user_id) or unstorable(passkey_id):
            return False
        async with self.writing() as conn:
            gone = await conn.execute(
                delete(passkeys).where(_KEYS.id == passkey_id, _KEYS.user_id == user_id)
            )
        return bool(gone.rowcount == 1)

    async def delete_passkeys(self, user_id: str) -> int:
        if unstorable(user_id):
            return 0
        async with self.writing() as conn:
            gone = await conn.execute(delete(passkeys).where(_KEYS.user_id == user_id))
        return int(gone.rowcount)

    async def use_passkey(
        self, passkey_id: str, *, seen_count: int, sign_count: int, backup_state: bool, now: float
    ) -> bool:
        if unstorable(passkey_id):
            return False
        async with self.writing() as conn:
            used = await conn.execute(
                update(passkeys)
                .where(_KEYS.id == passkey_id, _KEYS.sign_count == seen_count)
                .values(sign_count=sign_count, backup_state=backup_state, last_used_at=now)
            )
        return bool(used.rowcount == 1)

    async def save_passkey_challenge(self, challenge: PasskeyChallenge, *, now: float) -> None:
        if challenge.user_id is not None and unstorable(challenge.user_id):
            raise NotFoundError("No such user")
        try:
            async with self.writing() as conn:
                await conn.execute(delete(passkey_challenges).where(_CHALLENGES.expires_at <= now))
                await conn.execute(
                    insert(passkey_challenges).values(
                        challenge_hash=challenge.challenge_hash,
                        ceremony=challenge.ceremony,
                        user_id=challenge.user_id,
                        expires_at=challenge.expires_at,
                    )
                )
        except IntegrityError:  # the foreign key (a 256-bit challenge never collides)
            raise NotFoundError("No such user") from None

    async def consume_passkey_challenge(
        self, challenge_hash: str, ceremony: Ceremony, *, now: float
    ) -> PasskeyChallenge | None:
        if unstorable(challenge_hash):
            return None
        spend = delete(passkey_challenges).where(
            _CHALLENGES.challenge_hash == challenge_hash,
            _CHALLENGES.ceremony == ceremony,
            _CHALLENGES.expires_at > now,
        )
        async with self.writing() as conn:
            row = (await conn.execute(spend.returning(*passkey_challenges.c))).first()
        if row is None:
            return None
        m = row._mapping
        return PasskeyChallenge(
            m["challenge_hash"], cast(Ceremony, m["ceremony"]), m["user_id"], float(m["expires_at"])
        )


def _to_passkey(row: Row[Any]) -> Passkey:
    m = row._mapping
    return Passkey(
        id=m["id"],
        user_id=m["user_id"],
        credential_id=bytes(m["credential_id"]),
        public_key=bytes(m["public_key"]),
        sign_count=int(m["sign_count"]),
        transports=tuple(m["transports"].split()),
        backup_eligible=bool(m["backup_eligible"]),
        backup_state=bool(m["backup_state"]),
        aaguid=m["aaguid"],
        name=m["name"],
        created_at=float(m["created_at"]),
        last_used_at=None if m["last_used_at"] is None else float(m["last_used_at"]),
    )
