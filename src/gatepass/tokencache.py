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

Bounded twice: at most ``max_size`` tokens and at most ``max_bytes`` bytes,
counted per entry by ``entry_bytes`` (``sys.getsizeof`` of the token string
and of the claims, their names and values, one level into lists and dicts,
plus ``ENTRY_OVERHEAD`` for the entry itself and its place in the LRU order).
It is an estimate of what the entry keeps alive, not an allocator's count;
``tests/test_tokencache.py`` checks it against ``tracemalloc``.

Not thread-safe by design: it lives on one event loop.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

__all__ = ["DEFAULT_MAX_BYTES", "ENTRY_OVERHEAD", "Verified", "VerifiedTokenCache", "entry_bytes"]

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# The entry tuple, the OrderedDict slot and link, and the principal object.
ENTRY_OVERHEAD = 400


class Verified(Protocol):
    """What the cache stores: anything carrying the token's verified claims."""

    @property
    def claims(self) -> Mapping[str, Any]: ...


V = TypeVar("V", bound=Verified)


class _Entry(NamedTuple, Generic[V]):
    principal: V
    exp: float
    nbf: float | None
    size: int


def _sized(value: Any) -> int:
    size = sys.getsizeof(value)
    if isinstance(value, list | tuple):
        size += sum(sys.getsizeof(item) for item in value)
    elif isinstance(value, dict):
        size += sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in value.items())
    return size


def entry_bytes(token: str, claims: Mapping[str, Any]) -> int:
    """The bytes one cached token is counted for (see the module docstring)."""
    # A principal keeps its claims as a read-only view of a dict: count the dict.
    size = ENTRY_OVERHEAD + sys.getsizeof(token) + sys.getsizeof(dict(claims))
    return size + sum(sys.getsizeof(name) + _sized(value) for name, value in claims.items())


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class VerifiedTokenCache(Generic[V]):
    """At most ``max_size`` verified tokens and ``max_bytes`` bytes; the least recently
    used one goes first."""

    __slots__ = ("_bytes", "_entries", "leeway", "max_bytes", "max_size")

    def __init__(
        self, max_size: int = 10_000, *, max_bytes: int = DEFAULT_MAX_BYTES, leeway: float = 0.0
    ) -> None:
        if max_size < 0:
            raise ValueError("max_size must not be negative")
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.max_size = max_size
        self.max_bytes = max_bytes
        self.leeway = leeway
        self._entries: OrderedDict[str, _Entry[V]] = OrderedDict()
        self._bytes = 0

    @property
    def bytes(self) -> int:
        """The bytes the cached entries are counted for (``entry_bytes``)."""
        return self._bytes

    def get(self, token: str, now: float) -> V | None:
        """The principal of a cached token that is still inside its validity window."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry.exp + self.leeway or (
            entry.nbf is not None and now + self.leeway < entry.nbf
        ):
            self.discard(token)
            return None
        self._entries.move_to_end(token)
        return entry.principal

    def put(self, token: str, principal: V) -> None:
        """Remember a verified token (one without a numeric ``exp``, or larger than
        ``max_bytes`` alone, is never cached)."""
        claims = principal.claims
        exp = _number(claims.get("exp"))
        if exp is None or self.max_size == 0:
            return
        size = entry_bytes(token, claims)
        if size > self.max_bytes:
            return
        self.discard(token)
        self._entries[token] = _Entry(principal, exp, _number(claims.get("nbf")), size)
        self._bytes += size
        while len(self._entries) > self.max_size or self._bytes > self.max_bytes:
            _, oldest = self._entries.popitem(last=False)
            self._bytes -= oldest.size

    def discard(self, token: str) -> None:
        entry = self._entries.pop(token, None)
        if entry is not None:
            self._bytes -= entry.size

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, token: object) -> bool:
        return token in self._entries
