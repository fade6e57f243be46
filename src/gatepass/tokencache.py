"""The verified-token cache: a bounded LRU keyed by the exact token string.

A hit skips the signature check only. The token's ``exp`` and ``nbf`` are
checked again at every hit (same rule and leeway as the verifier), and the
verifier checks revocation at every hit, so a cached token stops working
the moment it expires or is revoked. Only tokens that fully verified are
stored; the key is the whole token, so a token that differs in one byte is a
miss and is verified from scratch.

Used by ``gatepass.tokens.verify.AccessVerifier`` (the auth server's and
``gatepass.protect``'s). The value stored is what it builds from a verified
token (a principal); it only needs its ``claims``. A cache belongs to one key
set: the verifier starts a fresh one whenever its key source hands out another.

Not thread-safe by design: it lives on one event loop.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

__all__ = ["Verified", "VerifiedTokenCache"]


class Verified(Protocol):
    """What the cache stores: anything carrying the token's verified claims."""

    @property
    def claims(self) -> Mapping[str, Any]: ...


V = TypeVar("V", bound=Verified)


class _Entry(NamedTuple, Generic[V]):
    principal: V
    exp: float
    nbf: float | None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class VerifiedTokenCache(Generic[V]):
    """At most ``max_size`` verified tokens; the least recently used one goes first."""

    __slots__ = ("_entries", "leeway", "max_size")

    def __init__(self, max_size: int = 10_000, *, leeway: float = 0.0) -> None:
        if max_size < 0:
            raise ValueError("max_size must not be negative")
        self.max_size = max_size
        self.leeway = leeway
        self._entries: OrderedDict[str, _Entry[V]] = OrderedDict()

    def get(self, token: str, now: float) -> V | None:
        """The principal of a cached token that is still inside its validity window."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry.exp + self.leeway or (
            entry.nbf is not None and now + self.leeway < entry.nbf
        ):
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return entry.principal

    def put(self, token: str, principal: V) -> None:
        """Remember a verified token (one without a numeric ``exp`` is never cached)."""
        exp = _number(principal.claims.get("exp"))
        if exp is None or self.max_size == 0:
            return
        self._entries[token] = _Entry(principal, exp, _number(principal.claims.get("nbf")))
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def discard(self, token: str) -> None:
        self._entries.pop(token, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, token: object) -> bool:
        return token in self._entries
