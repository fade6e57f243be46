"""``MemoryStore``: the Store protocol in one process, for unit tests and experiments.

Each protocol is one part (``users``, ``sessions``, ``revocations``, ``keys``,
``audit``) on one shared ``MemoryState``; this module composes them.
"""

from __future__ import annotations

from gatepass.store.memory.account_tokens import MemoryAccountTokenStore
from gatepass.store.memory.audit import MemoryAuditStore
from gatepass.store.memory.factors import MemoryFactorStore
from gatepass.store.memory.identities import MemoryIdentityStore
from gatepass.store.memory.keys import MemoryKeyStore
from gatepass.store.memory.outbox import MemoryOutboxStore
from gatepass.store.memory.passkeys import MemoryPasskeyStore
from gatepass.store.memory.revocations import MemoryRevocationStore
from gatepass.store.memory.sessions import MemorySessionStore, MemoryTokenStore
from gatepass.store.memory.state import MemoryState
from gatepass.store.memory.users import MemoryUserStore

__all__ = ["MemoryStore"]


class MemoryStore(
    MemoryUserStore,
    MemorySessionStore,
    MemoryTokenStore,
    MemoryRevocationStore,
    MemoryKeyStore,
    MemoryAuditStore,
    MemoryAccountTokenStore,
    MemoryOutboxStore,
    MemoryFactorStore,
    MemoryIdentityStore,
    MemoryPasskeyStore,
):
    def __init__(self) -> None:
        super().__init__(MemoryState())

    async def migrate(self) -> None:
        return None

    async def health(self) -> None:
        return None

    async def close(self) -> None:
        return None
