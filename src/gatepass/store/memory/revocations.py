"""``RevocationStore`` in memory."""

from __future__ import annotations

from gatepass.store.memory.state import MemoryPart, MemoryState
from gatepass.store.records import Revocation, RevocationKind
from gatepass.store.validation import check_revocation_kind, page

__all__ = ["MemoryRevocationStore", "append_revocation"]


class MemoryRevocationStore(MemoryPart):
    async def add_revocation(
        self,
        kind: RevocationKind,
        subject: str,
        *,
        not_before: float,
        now: float,
        expires_at: float,
    ) -> Revocation:
        check_revocation_kind(kind)
        async with self.state.lock:
            return append_revocation(self.state, kind, subject, not_before, now, expires_at)

    async def revocations_since(self, seq: int, *, limit: int = 1000) -> list[Revocation]:
        entries = sorted(self.state.revocations.items())
        return [r for s, r in entries if s > seq][: page(limit)[0]]

    async def live_revocations(self, *, now: float) -> list[Revocation]:
        return [r for _, r in sorted(self.state.revocations.items()) if r.expires_at > now]

    async def purge_revocations(self, *, now: float) -> int:
        async with self.state.lock:
            dead = [s for s, r in self.state.revocations.items() if r.expires_at <= now]
            for seq in dead:
                del self.state.revocations[seq]
            return len(dead)


def append_revocation(
    state: MemoryState,
    kind: RevocationKind,
    subject: str,
    not_before: float,
    now: float,
    expires_at: float,
) -> Revocation:
    """One entry, under the caller's lock (revoking a session denylists it with it)."""
    entry = Revocation(next(state.seq), kind, subject, not_before, now, expires_at)
    state.revocations[entry.seq] = entry
    return entry
