"""The in-process store: one module per protocol, composed by ``MemoryStore``."""

from __future__ import annotations

from gatepass.store.memory.store import MemoryStore

__all__ = ["MemoryStore"]
