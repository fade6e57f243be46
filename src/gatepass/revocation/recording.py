"""The store as the server's routes see it: every revocation it creates reaches the sync at once.

A revocation made by this server is applied to its own list before the
response that made it is sent: the server's routes (and the console) use the
store through ``recording(store, sync)``, which hands every entry the store
creates to ``ServerRevocationSync.record`` / ``session_revoked``.
"""

from __future__ import annotations

from typing import Any, cast

from gatepass.revocation.server_sync import ServerRevocationSync
from gatepass.store.protocols import Store
from gatepass.store.records import Revocation, RevocationKind
from gatepass.store.rotation import Decide, Requester, RevokeSession, RotationResult

__all__ = ["recording"]


class _RecordingStore:
    """The store, plus: every revocation entry it creates goes to ``sync`` at once."""

    def __init__(self, store: Store, sync: ServerRevocationSync) -> None:
        self._store = store
        self._sync = sync

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def add_revocation(
        self,
        kind: RevocationKind,
        subject: str,
        *,
        not_before: float,
        now: float,
        expires_at: float,
    ) -> Revocation:
        entry = await self._store.add_revocation(
            kind, subject, not_before=not_before, now=now, expires_at=expires_at
        )
        self._sync.record(entry)
        return entry

    async def revoke_session(
        self,
        session_id: str,
        *,
        now: float,
        reason: str,
        denylist_until: float | None = None,
    ) -> bool:
        live = await self._store.revoke_session(
            session_id, now=now, reason=reason, denylist_until=denylist_until
        )
        if live and denylist_until is not None:
            await self._sync.session_revoked(session_id, now, denylist_until)
        return live

    async def rotate_refresh(
        self, token_hash: str, now: float, decide: Decide, *, audit: Requester | None = None
    ) -> RotationResult:
        result = await self._store.rotate_refresh(token_hash, now, decide, audit=audit)
        decision, session = result.decision, result.session
        if (
            isinstance(decision, RevokeSession)
            and decision.denylist_until is not None
            and session is not None
        ):
            await self._sync.session_revoked(session.id, now, decision.denylist_until)
        return result


def recording(store: Store, sync: ServerRevocationSync) -> Store:
    """``store`` as the server's routes see it (see the module docstring)."""
    return cast(Store, _RecordingStore(store, sync))
