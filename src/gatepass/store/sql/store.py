"""``SqlStore``: the Store protocol on SQLite or PostgreSQL, one code path.

Each protocol is one part (``users``, ``sessions``, ``revocations``, ``keys``,
``audit``) on one shared engine; this module composes them and adds the lifecycle.
"""

from __future__ import annotations

from gatepass.errors import ServiceUnavailableError
from gatepass.store.sql.account_tokens import SqlAccountTokenStore
from gatepass.store.sql.audit import SqlAuditStore
from gatepass.store.sql.engine import create_engine
from gatepass.store.sql.factors import SqlFactorStore
from gatepass.store.sql.identities import SqlIdentityStore
from gatepass.store.sql.keys import SqlKeyStore
from gatepass.store.sql.migrate import run_migrations
from gatepass.store.sql.outbox import SqlOutboxStore
from gatepass.store.sql.passkeys import SqlPasskeyStore
from gatepass.store.sql.revocations import SqlRevocationStore
from gatepass.store.sql.sessions import SqlSessionStore, SqlTokenStore
from gatepass.store.sql.users import SqlUserStore

__all__ = ["SqlStore"]


class SqlStore(
    SqlUserStore,
    SqlSessionStore,
    SqlTokenStore,
    SqlRevocationStore,
    SqlKeyStore,
    SqlAuditStore,
    SqlAccountTokenStore,
    SqlOutboxStore,
    SqlFactorStore,
    SqlIdentityStore,
    SqlPasskeyStore,
):
    def __init__(
        self, database_url: str, *, search_path: str | None = None, pool_size: int | None = None
    ) -> None:
        super().__init__(create_engine(database_url, search_path=search_path, pool_size=pool_size))

    async def migrate(self) -> None:
        async with self.writing() as conn:
            await run_migrations(conn)

    async def health(self) -> None:
        async with self.reading() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def close(self) -> None:
        try:
            await self.engine.dispose()
        except OSError as error:  # pragma: no cover - closing a pool to a dead server
            raise ServiceUnavailableError() from error
