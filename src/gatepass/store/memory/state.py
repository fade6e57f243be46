"""The tables of ``MemoryStore``, shared by its parts, and the lock over them.

One ``asyncio.Lock`` makes every operation atomic, which is what the SQL
backends get from transactions and row locks.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Iterator

from gatepass.store.account_tokens import AccountToken
from gatepass.store.factors import TotpFactor
from gatepass.store.identities import Identity
from gatepass.store.outbox import OutboxEntry
from gatepass.store.passkeys import Passkey, PasskeyChallenge
from gatepass.store.records import AuditEvent, RefreshToken, Revocation, Session, SigningKey, User

__all__ = ["MemoryPart", "MemoryState"]


@dataclasses.dataclass(eq=False)
class MemoryState:
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    users: dict[str, User] = dataclasses.field(default_factory=dict)
    emails: dict[str, str] = dataclasses.field(default_factory=dict)  # lookup key -> id
    sessions: dict[str, Session] = dataclasses.field(default_factory=dict)
    tokens: dict[str, RefreshToken] = dataclasses.field(default_factory=dict)  # by token_hash
    token_hashes: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> token_hash
    revocations: dict[int, Revocation] = dataclasses.field(default_factory=dict)
    keys: dict[str, SigningKey] = dataclasses.field(default_factory=dict)
    audit: list[AuditEvent] = dataclasses.field(default_factory=list)
    seq: Iterator[int] = dataclasses.field(default_factory=lambda: itertools.count(1))
    audit_ids: Iterator[int] = dataclasses.field(default_factory=lambda: itertools.count(1))
    account_tokens: dict[str, AccountToken] = dataclasses.field(default_factory=dict)  # by hash
    outbox: dict[str, OutboxEntry] = dataclasses.field(default_factory=dict)  # oldest first
    totp: dict[str, TotpFactor] = dataclasses.field(default_factory=dict)  # by user id
    recovery_codes: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # user -> hashes
    identities: dict[str, Identity] = dataclasses.field(default_factory=dict)  # by id
    passkeys: dict[str, Passkey] = dataclasses.field(default_factory=dict)  # by id
    passkey_challenges: dict[str, PasskeyChallenge] = dataclasses.field(default_factory=dict)


class MemoryPart:
    """What every part of ``MemoryStore`` shares: the one state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
