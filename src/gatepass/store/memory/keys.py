"""``KeyStore`` in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from gatepass.errors import InvalidKeyError, NotFoundError
from gatepass.store.memory.state import MemoryPart
from gatepass.store.records import KeyStatus, SigningKey
from gatepass.store.validation import check_key_status

__all__ = ["MemoryKeyStore"]


class MemoryKeyStore(MemoryPart):
    async def add_signing_key(self, key: SigningKey) -> None:
        check_key_status(key.status)
        async with self.state.lock:
            if key.kid in self.state.keys:
                raise InvalidKeyError("A signing key with this kid already exists")
            self.state.keys[key.kid] = key

    async def add_first_signing_key(self, key: SigningKey) -> bool:
        check_key_status(key.status)
        async with self.state.lock:
            if any(k.status == "active" for k in self.state.keys.values()):
                return False
            if key.kid in self.state.keys:
                raise InvalidKeyError("A signing key with this kid already exists")
            self.state.keys[key.kid] = key
            return True

    async def list_signing_keys(
        self, *, statuses: Collection[KeyStatus] | None = None
    ) -> list[SigningKey]:
        keys = sorted(self.state.keys.values(), key=lambda k: (k.created_at, k.kid))
        return [k for k in keys if statuses is None or k.status in statuses]

    async def set_signing_key_status(
        self, kid: str, status: KeyStatus, *, retire_at: float | None = None
    ) -> SigningKey:
        check_key_status(status)
        async with self.state.lock:
            key = self.state.keys.get(kid)
            if key is None:
                raise NotFoundError("No such signing key")
            key = dataclasses.replace(
                key, status=status, retire_at=key.retire_at if retire_at is None else retire_at
            )
            self.state.keys[kid] = key
            return key

    async def replace_private_jwk(self, kid: str, *, expected: str, private_jwk: str) -> bool:
        async with self.state.lock:
            key = self.state.keys.get(kid)
            if key is None or key.private_jwk != expected:
                return False
            self.state.keys[kid] = dataclasses.replace(key, private_jwk=private_jwk)
            return True
