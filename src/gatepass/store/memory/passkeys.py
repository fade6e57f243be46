"""``PasskeyStore`` in memory.

Each method runs without awaiting between its check and its change, so on one
event loop it is atomic, as the SQL backends are by their transactions.
"""

from __future__ import annotations

import dataclasses

from gatepass.errors import NotFoundError, PasskeyExistsError
from gatepass.store.memory.state import MemoryPart
from gatepass.store.passkeys import Ceremony, Passkey, PasskeyChallenge

__all__ = ["MemoryPasskeyStore"]


class MemoryPasskeyStore(MemoryPart):
    async def add_passkey(self, passkey: Passkey) -> None:
        if passkey.user_id not in self.state.users:
            raise NotFoundError("No such user")
        if any(p.credential_id == passkey.credential_id for p in self.state.passkeys.values()):
            raise PasskeyExistsError()
        self.state.passkeys[passkey.id] = passkey

    async def get_passkey_by_credential(self, credential_id: bytes) -> Passkey | None:
        return next(
            (p for p in self.state.passkeys.values() if p.credential_id == credential_id), None
        )

    async def list_passkeys(self, user_id: str) -> list[Passkey]:
        mine = [p for p in self.state.passkeys.values() if p.user_id == user_id]
        return sorted(mine, key=lambda p: (p.created_at, p.id))

    async def count_passkeys(self, user_id: str) -> int:
        return sum(1 for p in self.state.passkeys.values() if p.user_id == user_id)

    async def rename_passkey(self, user_id: str, passkey_id: str, name: str) -> Passkey | None:
        passkey = self.state.passkeys.get(passkey_id)
        if passkey is None or passkey.user_id != user_id:
            return None
        renamed = dataclasses.replace(passkey, name=name)
        self.state.passkeys[passkey_id] = renamed
        return renamed

    async def delete_passkey(self, user_id: str, passkey_id: str) -> bool:
        passkey = self.state.passkeys.get(passkey_id)
        if passkey is None or passkey.user_id != user_id:
            return False
        del self.state.passkeys[passkey_id]
        return True

    async def delete_passkeys(self, user_id: str) -> int:
        doomed = [k for k, p in self.state.passkeys.items() if p.user_id == user_id]
        for key in doomed:
            del self.state.passkeys[key]
        return len(doomed)

    async def use_passkey(
        self, passkey_id: str, *, seen_count: int, sign_count: int, backup_state: bool, now: float
    ) -> bool:
        passkey = self.state.passkeys.get(passkey_id)
        if passkey is None or passkey.sign_count != seen_count:
            return False
        self.state.passkeys[passkey_id] = dataclasses.replace(
            passkey, sign_count=sign_count, backup_state=backup_state, last_used_at=now
        )
        return True

    async def save_passkey_challenge(self, challenge: PasskeyChallenge, *, now: float) -> None:
        if challenge.user_id is not None and challenge.user_id not in self.state.users:
            raise NotFoundError("No such user")
        challenges = self.state.passkey_challenges
        for key in [k for k, c in challenges.items() if not c.is_live(now)]:
            del challenges[key]
        challenges[challenge.challenge_hash] = challenge

    async def consume_passkey_challenge(
        self, challenge_hash: str, ceremony: Ceremony, *, now: float
    ) -> PasskeyChallenge | None:
        challenge = self.state.passkey_challenges.get(challenge_hash)
        if challenge is None or challenge.ceremony != ceremony or not challenge.is_live(now):
            return None
        del self.state.passkey_challenges[challenge_hash]
        return challenge
