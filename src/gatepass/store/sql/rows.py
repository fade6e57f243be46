"""Database rows -> frozen records."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol, cast

from sqlalchemy.engine import Row

from gatepass.store.records import (
    AuditEvent,
    KeyStatus,
    RefreshToken,
    Revocation,
    RevocationKind,
    Session,
    SigningKey,
    User,
)

__all__ = [
    "Columns",
    "to_audit",
    "to_key",
    "to_revocation",
    "to_session",
    "to_token",
    "to_user",
]


class Columns(Protocol):
    """A row as the converters read it: a ``Row``, or one table's part of a joined row."""

    @property
    def _mapping(self) -> Mapping[Any, Any]: ...


def to_user(row: Columns) -> User:
    m = row._mapping
    return User(
        id=m["id"],
        email=m["email"],
        password_hash=m["password_hash"],
        role=m["role"],
        disabled=bool(m["disabled"]),
        created_at=float(m["created_at"]),
        email_verified=bool(m["email_verified"]),
    )


def to_session(row: Columns) -> Session:
    m = row._mapping
    return Session(
        id=m["id"],
        user_id=m["user_id"],
        created_at=float(m["created_at"]),
        last_used_at=float(m["last_used_at"]),
        expires_at=float(m["expires_at"]),
        revoked_at=None if m["revoked_at"] is None else float(m["revoked_at"]),
        revoked_reason=m["revoked_reason"],
        user_agent=m["user_agent"],
        ip=m["ip"],
        amr=tuple((m["amr"] or "").split()),
        reauthenticated_at=(
            None if m["reauthenticated_at"] is None else float(m["reauthenticated_at"])
        ),
    )


def to_token(row: Columns) -> RefreshToken:
    m = row._mapping
    sealed = m["successor_sealed"]
    return RefreshToken(
        id=m["id"],
        session_id=m["session_id"],
        token_hash=m["token_hash"],
        created_at=float(m["created_at"]),
        expires_at=float(m["expires_at"]),
        spent_at=None if m["spent_at"] is None else float(m["spent_at"]),
        successor_id=m["successor_id"],
        successor_sealed=None if sealed is None else bytes(sealed),
    )


def to_revocation(row: Row[Any]) -> Revocation:
    m = row._mapping
    return Revocation(
        seq=int(m["seq"]),
        kind=cast(RevocationKind, m["kind"]),
        subject=m["subject"],
        not_before=float(m["not_before"]),
        created_at=float(m["created_at"]),
        expires_at=float(m["expires_at"]),
    )


def to_key(row: Row[Any]) -> SigningKey:
    m = row._mapping
    return SigningKey(
        kid=m["kid"],
        alg=m["alg"],
        private_jwk=m["private_jwk"],
        public_jwk=m["public_jwk"],
        status=cast(KeyStatus, m["status"]),
        created_at=float(m["created_at"]),
        retire_at=None if m["retire_at"] is None else float(m["retire_at"]),
    )


def to_audit(row: Row[Any]) -> AuditEvent:
    m = row._mapping
    return AuditEvent(
        id=int(m["id"]),
        at=float(m["at"]),
        event=m["event"],
        user_id=m["user_id"],
        session_id=m["session_id"],
        ip=m["ip"],
        user_agent=m["user_agent"],
        detail=json.loads(m["detail"]),
    )
