"""What the store contract suites share: the clock, and users, sessions and tokens to test on.

The suites (``test_contract*.py``, one per protocol as ``store/sql/`` and
``store/memory/`` are split) run on every backend: memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

import secrets

from gatepass.store import RefreshToken, Session, Store, User, hash_token
from gatepass.store.rotation import Requester

NOW = 1_700_000_000.25
DAY = 86400.0
WHO = Requester(ip="203.0.113.7", user_agent="pytest")


async def make_user(store: Store, email: str = "alice@example.com") -> User:
    return await store.create_user(email, "$argon2id$hash", now=NOW)


async def make_session(store: Store, user: User, now: float = NOW) -> Session:
    return await store.create_session(
        user.id, now=now, expires_at=now + 30 * DAY, user_agent="pytest", ip="127.0.0.1"
    )


async def make_token(store: Store, session: Session, raw: str | None = None) -> RefreshToken:
    raw = raw or secrets.token_urlsafe(32)
    return await store.add_refresh_token(
        session.id, hash_token(raw), now=NOW, expires_at=NOW + 7 * DAY
    )
