"""The wire form of a revocation entry: what Redis messages and the revocation feed carry.

One entry is a JSON object with exactly five keys::

    {"seq": 7, "kind": "session", "subject": "s-1", "not_before": 1.8e9, "expires_at": 1.8e9}

A Redis message on ``<GATEPASS_REDIS_KEY_PREFIX>:revocations`` is one such
object; a feed page (``GET /auth/revocations``) is ``{"entries": [...],
"cursor": N}``. Parsing is strict: anything unexpected is a ``ValueError``,
and the receiver ignores that message or page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, cast

import orjson

from gatepass.store.records import REVOCATION_KINDS, Revocation, RevocationKind

__all__ = [
    "DEFAULT_CHANNEL",
    "MAX_SUBJECT_LENGTH",
    "channel_for",
    "entry_from_json",
    "entry_from_message",
    "entry_to_json",
]

MAX_SUBJECT_LENGTH: Final = 256
_WIRE_KEYS = frozenset({"seq", "kind", "subject", "not_before", "expires_at"})


def channel_for(prefix: str) -> str:
    """The Redis channel revocations are pushed on, for a ``GATEPASS_REDIS_KEY_PREFIX``."""
    return f"{prefix}:revocations"


DEFAULT_CHANNEL: Final = channel_for("gatepass")


def entry_to_json(entry: Revocation) -> dict[str, Any]:
    """The wire form of an entry (``created_at`` stays in the database)."""
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "subject": entry.subject,
        "not_before": entry.not_before,
        "expires_at": entry.expires_at,
    }


def _number(data: Mapping[str, object], name: str) -> float:
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"revocation entry: {name} must be a number")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"revocation entry: {name} must be a finite non-negative number")
    return number


def entry_from_json(data: object) -> Revocation:
    """Parse one wire entry strictly; anything unexpected is a ``ValueError``.

    The object must have exactly the five wire keys. ``created_at`` is not on
    the wire; it is set to ``not_before``.
    """
    if not isinstance(data, dict):
        raise ValueError("revocation entry: not an object")
    if set(data) != _WIRE_KEYS:
        raise ValueError("revocation entry: wrong keys")
    wire = cast(dict[str, object], data)
    seq = wire["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError("revocation entry: seq must be a positive integer")
    kind = wire["kind"]
    if not isinstance(kind, str) or kind not in REVOCATION_KINDS:
        raise ValueError("revocation entry: unknown kind")
    subject = wire["subject"]
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
        raise ValueError("revocation entry: subject must be a non-empty string")
    not_before = _number(wire, "not_before")
    expires_at = _number(wire, "expires_at")
    return Revocation(
        seq=seq,
        kind=cast(RevocationKind, kind),
        subject=subject,
        not_before=not_before,
        created_at=not_before,
        expires_at=expires_at,
    )


def entry_from_message(data: object) -> Revocation:
    """The entry a Redis message's payload carries; ``ValueError`` for anything else."""
    if not isinstance(data, bytes | str):
        raise ValueError("revocation message: not text")
    return entry_from_json(orjson.loads(data))  # orjson.JSONDecodeError is a ValueError
