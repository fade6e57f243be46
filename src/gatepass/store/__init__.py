"""Storage for the auth server: protocols, records and backends.

``open_store(database_url)`` returns a ``Store``: ``MemoryStore`` for
``memory://``, else ``SqlStore`` (SQLite via aiosqlite, PostgreSQL via asyncpg).
"""

from __future__ import annotations

from gatepass.store.factory import open_store, upgrade
from gatepass.store.memory import MemoryStore
from gatepass.store.protocols import (
    AuditStore,
    KeyStore,
    RevocationStore,
    SessionStore,
    Store,
    TokenStore,
    UserStore,
)
from gatepass.store.records import (
    AuditEvent,
    KeyStatus,
    RefreshToken,
    Revocation,
    RevocationKind,
    Session,
    SigningKey,
    User,
    hash_token,
    new_id,
    new_session_id,
    normalise_email,
)
from gatepass.store.rotation import (
    Decide,
    Reject,
    Replay,
    Requester,
    RevokeSession,
    Rotate,
    RotationDecision,
    RotationResult,
)

__all__ = [
    "AuditEvent",
    "AuditStore",
    "Decide",
    "KeyStatus",
    "KeyStore",
    "MemoryStore",
    "RefreshToken",
    "Reject",
    "Replay",
    "Requester",
    "Revocation",
    "RevocationKind",
    "RevocationStore",
    "RevokeSession",
    "Rotate",
    "RotationDecision",
    "RotationResult",
    "Session",
    "SessionStore",
    "SigningKey",
    "Store",
    "TokenStore",
    "User",
    "UserStore",
    "hash_token",
    "new_id",
    "new_session_id",
    "normalise_email",
    "open_store",
    "upgrade",
]
