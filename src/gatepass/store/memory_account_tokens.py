"""``MemoryAccountTokens``: the ``AccountTokenStore`` half of ``MemoryStore``.

Each method runs without awaiting between its check and its change, so on one
event loop it is atomic, as the SQL backends are by their transactions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from gatepass.errors import NotFoundError
from gatepass.store.account_tokens import AccountToken, AccountTokenPurpose
from gatepass.store.records import User

__all__ = ["MemoryAccountTokens"]


class MemoryAccountTokens:
    # Provided by the store this is mixed into.
    get_user: Callable[[str], Awaitable[User | None]]

    def __init__(self) -> None:
        super().__init__()
        self._account_tokens: dict[str, AccountToken] = {}  # by token_hash

    async def save_account_token(self, token: AccountToken) -> None:
        if await self.get_user(token.user_id) is None:
            raise NotFoundError("No such user")
        if token.token_hash in self._account_tokens:
            raise ValueError("duplicate account token hash")
        self._account_tokens[token.token_hash] = token

    async def consume_account_token(
        self,
        token_hash: str,
        purpose: AccountTokenPurpose,
        *,
        now: float,
        user_id: str | None = None,
    ) -> AccountToken | None:
        token = self._account_tokens.get(token_hash)
        if token is None or token.purpose != purpose or not token.is_live(now):
            return None
        if user_id is not None and token.user_id != user_id:
            return None
        del self._account_tokens[token_hash]
        return token

    async def revoke_account_tokens(
        self, user_id: str, *, purpose: AccountTokenPurpose | None = None
    ) -> int:
        doomed = [
            key
            for key, token in self._account_tokens.items()
            if token.user_id == user_id and purpose in (None, token.purpose)
        ]
        for key in doomed:
            del self._account_tokens[key]
        return len(doomed)

    async def purge_account_tokens(self, *, now: float) -> int:
        doomed = [k for k, t in self._account_tokens.items() if not t.is_live(now)]
        for key in doomed:
            del self._account_tokens[key]
        return len(doomed)
