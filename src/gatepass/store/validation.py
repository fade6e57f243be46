"""Checks shared by every backend (values gatepass chose, so safe to name)."""

from __future__ import annotations

from gatepass.store.records import KEY_STATUSES, REVOCATION_KINDS

__all__ = ["check_key_status", "check_revocation_kind"]


def check_revocation_kind(kind: str) -> None:
    if kind not in REVOCATION_KINDS:
        raise ValueError("revocation kind must be one of: jti, session, user")


def check_key_status(status: str) -> None:
    if status not in KEY_STATUSES:
        raise ValueError("signing key status must be one of: active, retiring, retired")
