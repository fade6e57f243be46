"""``FactorStore`` in memory.

Each method runs without awaiting between its check and its change, so on one
event loop it is atomic, as the SQL backends are by their transactions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from gatepass.errors import NotFoundError
from gatepass.store.factors import SecondFactors, TotpFactor
from gatepass.store.memory.state import MemoryPart

__all__ = ["MemoryFactorStore"]


class MemoryFactorStore(MemoryPart):
    async def save_totp(self, factor: TotpFactor) -> None:
        if factor.user_id not in self.state.users:
            raise NotFoundError("No such user")
        current = self.state.totp.get(factor.user_id)
        if current is not None and current.confirmed:
            raise ValueError("the user's TOTP factor is confirmed")
        self.state.totp[factor.user_id] = factor

    async def get_totp(self, user_id: str) -> TotpFactor | None:
        return self.state.totp.get(user_id)

    async def second_factors(self, user_id: str) -> SecondFactors:
        factor = self.state.totp.get(user_id)
        passkeys = sum(1 for p in self.state.passkeys.values() if p.user_id == user_id)
        return SecondFactors(totp=factor is not None and factor.confirmed, passkeys=passkeys)

    async def confirm_totp(
        self, user_id: str, *, step: int, recovery_hashes: Collection[str]
    ) -> bool:
        factor = self.state.totp.get(user_id)
        if factor is None or factor.confirmed:
            return False
        self.state.totp[user_id] = dataclasses.replace(factor, confirmed=True, last_step=step)
        self.state.recovery_codes[user_id] = set(recovery_hashes)
        return True

    async def accept_totp_step(self, user_id: str, step: int) -> bool:
        factor = self.state.totp.get(user_id)
        if factor is None or (factor.last_step is not None and step <= factor.last_step):
            return False
        self.state.totp[user_id] = dataclasses.replace(factor, last_step=step)
        return True

    async def delete_totp(self, user_id: str) -> bool:
        self.state.recovery_codes.pop(user_id, None)
        return self.state.totp.pop(user_id, None) is not None

    async def replace_recovery_codes(self, user_id: str, hashes: Collection[str]) -> None:
        if user_id not in self.state.users:
            raise NotFoundError("No such user")
        self.state.recovery_codes[user_id] = set(hashes)

    async def consume_recovery_code(self, user_id: str, code_hash: str) -> bool:
        codes = self.state.recovery_codes.get(user_id, set())
        if code_hash not in codes:
            return False
        codes.remove(code_hash)
        return True

    async def count_recovery_codes(self, user_id: str) -> int:
        return len(self.state.recovery_codes.get(user_id, ()))
