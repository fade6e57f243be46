"""``AccountTokenStore`` in memory.

Each method runs without awaiting between its check and its change, so on one
event loop it is atomic, as the SQL backends are by their transactions.
"""

from __future__ import annotations

from gatepass.errors import NotFoundError
from gatepass.store.account_tokens import AccountToken, AccountTokenPurpose
from gatepass.store.memory.state import MemoryPart

__all__ = ["MemoryAccountTokenStore"]


class MemoryAccountTokenStore(MemoryPart):
    async def save_account_token(self, token: AccountToken) -> None:
        if token.user_id not in self.state.users:
            raise NotFoundError("No such user")
        if token.token_hash in self.state.account_tokens:
            raise ValueError("duplicate account token hash")
        self.state.account_tokens[token.token_hash] = token

    async def consume_account_token(
        self,
        token_hash: str,
        purpose: AccountTokenPurpose,
        *,
        now: float,
        user_id: str | None = None,
    ) -> AccountToken | None:
        token = self.state.account_tokens.get(token_hash)
        if token is None or token.purpose != purpose or not token.is_live(now):
            return None
        if user_id is not None and token.user_id != user_id:
            return None
        del self.state.account_tokens[token_hash]
        return token

    async def revoke_account_tokens(
        self, user_id: str, *, purpose: AccountTokenPurpose | None = None
    ) -> int:
        doomed = [
            key
            for key, token in self.state.account_tokens.items()
            if token.user_id == user_id and purpose in (None, token.purpose)
        ]
        for key in doomed:
            del self.state.account_tokens[key]
        return len(doomed)

    async def purge_account_tokens(self, *, now: float) -> int:
        doomed = [k for k, t in self.state.account_tokens.items() if not t.is_live(now)]
        for key in doomed:
            del self.state.account_tokens[key]
        return len(doomed)
