"""One-time account tokens at the storage boundary: the record and its protocol.

A one-time token (verify an email, reset a password, confirm an email change)
is kept only as the SHA-256 of its raw value (``records.hash_token``), with the
purpose and user it was minted for, the account stamp it must still match when
used (``gatepass.tokens.onetime``), an optional payload (the new address of an
email change, the state of a login waiting for its second factor:
``gatepass.tokens.mfa_token``) and its expiry. The rules (lifetimes, what a stamp is, when a
token is refused) live in ``gatepass.tokens.onetime``; the store only keeps the
rows and spends them atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["ACCOUNT_TOKEN_PURPOSES", "AccountToken", "AccountTokenPurpose", "AccountTokenStore"]

AccountTokenPurpose = Literal["verify_email", "reset_password", "change_email", "mfa_login"]
ACCOUNT_TOKEN_PURPOSES: frozenset[str] = frozenset(
    {"verify_email", "reset_password", "change_email", "mfa_login"}
)


@dataclass(frozen=True, slots=True)
class AccountToken:
    token_hash: str
    purpose: AccountTokenPurpose
    user_id: str
    stamp: str
    payload: str | None
    created_at: float
    expires_at: float

    def is_live(self, now: float) -> bool:
        return now < self.expires_at


class AccountTokenStore(Protocol):
    async def save_account_token(self, token: AccountToken) -> None:
        """Insert a token (by its hash). A user that does not exist ->
        ``NotFoundError``; a hash already stored -> ``ValueError`` (a 256-bit
        token never collides by chance)."""
        ...

    async def consume_account_token(
        self,
        token_hash: str,
        purpose: AccountTokenPurpose,
        *,
        now: float,
        user_id: str | None = None,
    ) -> AccountToken | None:
        """Spend the live token with this hash and purpose (and user, when given):
        it is deleted and returned. None for an unknown, spent, expired or
        foreign-purpose token, which is left as it is. Atomic: of concurrent
        calls for one token, exactly one gets it."""
        ...

    async def revoke_account_tokens(
        self, user_id: str, *, purpose: AccountTokenPurpose | None = None
    ) -> int:
        """Delete every token of the user (of one purpose, when given); how many."""
        ...

    async def purge_account_tokens(self, *, now: float) -> int:
        """Delete the expired tokens of every user; how many."""
        ...
