"""The one internal failure of key management, turned into DecryptionError by ``unwrap``."""

from __future__ import annotations

__all__ = ["UnwrapFailed"]


class UnwrapFailed(Exception):
    """Any reason a CEK cannot be recovered; callers never learn which."""
