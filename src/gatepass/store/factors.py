"""Second factors at the storage boundary: a user's TOTP factor and recovery codes.

The TOTP secret is kept sealed (``sealed_secret``: the flows seal it with
``gatepass.tokens.sealing.Sealer`` under the key-encryption key, bound to the
user's id), so a copy of the database alone cannot mint codes. A factor is
``confirmed`` once its owner proved they hold it (a first code); only then
does login ask for it. ``last_step`` is the RFC 6238 time step of the last
accepted code: a code of that step or an earlier one is never accepted again
(``accept_totp_step`` is a compare-and-set, so two requests racing with one
code cannot both win).

Recovery codes are kept only as hashes (``gatepass.tokens.totp.recovery_hash``)
and spent by their first use. The rules live in ``gatepass.tokens.totp``; the
store only keeps the rows and changes them atomically. Both go with their
user (``UserStore.delete_user``) and with the factor (``delete_totp``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["FactorStore", "SecondFactors", "TotpFactor"]


@dataclass(frozen=True, slots=True)
class TotpFactor:
    user_id: str
    sealed_secret: bytes = field(repr=False)
    confirmed: bool
    created_at: float
    last_step: int | None = None


@dataclass(frozen=True, slots=True)
class SecondFactors:
    """What a password login must ask for next: a confirmed TOTP factor, passkeys."""

    totp: bool
    passkeys: int


class FactorStore(Protocol):
    async def save_totp(self, factor: TotpFactor) -> None:
        """Keep ``factor`` as the user's (unconfirmed) TOTP factor, replacing an
        unconfirmed one; a user that does not exist -> ``NotFoundError``; a user
        whose factor is confirmed -> ``ValueError`` (``delete_totp`` first)."""
        ...

    async def get_totp(self, user_id: str) -> TotpFactor | None: ...

    async def second_factors(self, user_id: str) -> SecondFactors:
        """Whether the user's TOTP factor is confirmed and how many passkeys they
        have, in one read (every password login asks)."""
        ...

    async def confirm_totp(
        self, user_id: str, *, step: int, recovery_hashes: Collection[str]
    ) -> bool:
        """In ONE transaction: confirm the user's unconfirmed factor, record
        ``step`` as its last accepted one and make ``recovery_hashes`` the user's
        recovery codes. False (nothing changed) when there is no unconfirmed factor."""
        ...

    async def accept_totp_step(self, user_id: str, step: int) -> bool:
        """Record ``step`` as accepted if it is later than the last accepted one;
        True when it was. Atomic: of concurrent calls with one step, one wins."""
        ...

    async def delete_totp(self, user_id: str) -> bool:
        """Remove the user's factor and recovery codes; True when there was a factor."""
        ...

    async def replace_recovery_codes(self, user_id: str, hashes: Collection[str]) -> None:
        """Make ``hashes`` the user's recovery codes (the old ones are gone)."""
        ...

    async def consume_recovery_code(self, user_id: str, code_hash: str) -> bool:
        """Spend one of the user's codes: True (and deleted) when it was there.
        Atomic: of concurrent uses of one code, exactly one gets True."""
        ...

    async def count_recovery_codes(self, user_id: str) -> int: ...
