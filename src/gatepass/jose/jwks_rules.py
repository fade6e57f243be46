"""The pure rules of a remote JWK Set client, shared by the async and the sync one.

``key_set_from_json`` decides whether a fetched body may be used as signing
keys: one JSON object without duplicated members (two ``keys`` would let two
parsers read two sets), the keys gatepass can use (others are skipped, as
RFC 7517 §5 says, and counted), at least one of them, and no secret or
private key. ``RefetchSchedule`` decides when to fetch: a set older than
``max_age`` is refreshed, and no fetch starts within ``cooldown`` of the last
attempt, so a stream of made-up kids costs one request per cooldown. Before
the first good set there is nothing to fall back on, so failed attempts are
retried after 1 s, 2 s, 4 s, … up to ``cooldown`` instead.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from gatepass.errors import JoseError
from gatepass.jose._json import loads_object
from gatepass.jose.keyset import KeySet

__all__ = ["FIRST_RETRY", "FetchedKeys", "KeySetRejected", "RefetchSchedule", "key_set_from_json"]

#: Seconds before retrying a failed first fetch; doubled at each further failure.
FIRST_RETRY: Final = 1.0


class KeySetRejected(Exception):
    """Why a fetched JWK Set is not used, in words gatepass chose (never the body)."""


class FetchedKeys(NamedTuple):
    keys: KeySet
    skipped: int  # members gatepass cannot use (an unknown kty, secp256k1, short RSA, ...)


def key_set_from_json(body: bytes) -> FetchedKeys:
    """The public signing keys in ``body``; KeySetRejected for anything else."""
    try:
        document = loads_object(body, "The JWK Set")
    except JoseError:
        raise KeySetRejected("the answer is not one JSON object without duplicates") from None
    try:
        keys, skipped = KeySet.import_usable_jwks(document)
    except (JoseError, ValueError, TypeError, AttributeError):
        raise KeySetRejected("the answer is not a valid JWK Set") from None
    if len(keys) == 0:
        raise KeySetRejected("the JWK Set has no usable key")
    if any(key.kty == "oct" for key in keys):
        raise KeySetRejected("the JWK Set holds a secret key")
    if any(key.is_private for key in keys):  # a published private key signs for anyone
        raise KeySetRejected("the JWK Set holds a private key")
    return FetchedKeys(keys, skipped)


class RefetchSchedule:
    """When the last fetch was tried and when one succeeded; times come from the caller."""

    __slots__ = ("attempted_at", "cooldown", "failures", "fetched_at", "max_age")

    def __init__(self, max_age: float, cooldown: float) -> None:
        if max_age <= 0 or cooldown < 0:
            raise ValueError("max_age must be positive and cooldown not negative")
        self.max_age, self.cooldown = max_age, cooldown
        self.fetched_at = -float("inf")
        self.attempted_at = -float("inf")
        self.failures = 0  # consecutive failed attempts

    def is_stale(self, now: float) -> bool:
        return now - self.fetched_at > self.max_age

    def may_attempt(self, now: float, *, have_keys: bool = True) -> bool:
        return now - self.attempted_at >= self._interval(have_keys)

    def _interval(self, have_keys: bool) -> float:
        if have_keys or self.failures == 0:
            return self.cooldown
        backoff: float = FIRST_RETRY * 2.0 ** (self.failures - 1)
        return min(self.cooldown, backoff)

    def attempted(self, now: float) -> None:
        self.attempted_at = now

    def succeeded(self, now: float) -> None:
        self.fetched_at, self.failures = now, 0

    def failed(self) -> None:
        self.failures += 1
