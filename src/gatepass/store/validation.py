"""Checks shared by every backend (values gatepass chose, so safe to name)."""

from __future__ import annotations

from gatepass.store.records import KEY_STATUSES, REVOCATION_KINDS

__all__ = ["MAX_PAGE", "check_key_status", "check_revocation_kind", "page"]

# The most rows one list call returns; callers page on (seq, offset) for more.
MAX_PAGE = 1000


def check_revocation_kind(kind: str) -> None:
    if kind not in REVOCATION_KINDS:
        raise ValueError("revocation kind must be one of: jti, session, user")


def page(limit: int, offset: int = 0) -> tuple[int, int]:
    """A (limit, offset) pair to query with: limit capped at MAX_PAGE, both checked."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if offset < 0:
        raise ValueError("offset must not be negative")
    return min(limit, MAX_PAGE), offset


def check_key_status(status: str) -> None:
    if status not in KEY_STATUSES:
        raise ValueError("signing key status must be one of: active, retiring, retired")
