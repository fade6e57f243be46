"""The pure rules of a remote JWK Set client, shared by the async and the sync one.

``key_set_from_json`` decides whether a fetched body may be used as signing
keys; ``RefetchSchedule`` decides when to fetch: a set older than
``max_age`` is refreshed, and no fetch starts within ``cooldown`` of the last
attempt, so a stream of made-up kids costs one request per cooldown.
"""

from __future__ import annotations

import orjson

from gatepass.errors import JoseError
from gatepass.jose.keys import KeySet

__all__ = ["KeySetRejected", "RefetchSchedule", "key_set_from_json"]


class KeySetRejected(Exception):
    """Why a fetched JWK Set is not used, in words gatepass chose (never the body)."""


def key_set_from_json(body: bytes) -> KeySet:
    """The public signing keys in ``body``; KeySetRejected for anything else."""
    try:
        keys = KeySet.import_jwks(orjson.loads(body))
    except orjson.JSONDecodeError:
        raise KeySetRejected("the answer is not JSON") from None
    except (JoseError, ValueError, TypeError, AttributeError):
        raise KeySetRejected("the answer is not a valid JWK Set") from None
    if len(keys) == 0:
        raise KeySetRejected("the JWK Set is empty")
    if any(key.kty == "oct" for key in keys):
        raise KeySetRejected("the JWK Set holds a secret key")
    if any(key.is_private for key in keys):  # a published private key signs for anyone
        raise KeySetRejected("the JWK Set holds a private key")
    return keys


class RefetchSchedule:
    """When the last fetch was tried and when one succeeded; times come from the caller."""

    __slots__ = ("attempted_at", "cooldown", "fetched_at", "max_age")

    def __init__(self, max_age: float, cooldown: float) -> None:
        if max_age <= 0 or cooldown < 0:
            raise ValueError("max_age must be positive and cooldown not negative")
        self.max_age, self.cooldown = max_age, cooldown
        self.fetched_at = -float("inf")
        self.attempted_at = -float("inf")

    def is_stale(self, now: float) -> bool:
        return now - self.fetched_at > self.max_age

    def may_attempt(self, now: float) -> bool:
        return now - self.attempted_at >= self.cooldown
