"""``Verifier``: ``jwt.decode`` with its key, allow-list and rules resolved once.

Also the two readings every entry point shares: how a ``str``/``bytes`` key is
read (PEM text is a key, anything else an HMAC secret) and how ``typ`` is
compared (case-insensitively, ``application/`` optional; RFC 7515 §4.1.9).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any

from gatepass.errors import ClaimError, InvalidKeyError
from gatepass.jose import jws
from gatepass.jose._json import loads_object
from gatepass.jose._keymaterial import looks_like_public_key_text
from gatepass.jose.algorithms import ALGORITHMS
from gatepass.jose.claims import Expected, validate_claims
from gatepass.jose.keys import Key
from gatepass.jose.keyset import KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits
from gatepass.jose.options import claim_rules, verifies_signature
from gatepass.jose.pyjwt.api_jwk import PyJWK, PyJWKSet

__all__ = ["Clock", "KeyLike", "Verifier", "check_typ", "coerce_key", "normal_typ"]

#: Seconds since the epoch. None means ``time.time``, looked up on every call.
Clock = Callable[[], float]
KeyLike = Key | KeySet | PyJWK | PyJWKSet | str | bytes | object


@lru_cache(maxsize=16)
def _key_from_text(text: str | bytes) -> Key:
    """A str/bytes key as PyJWT reads it: PEM text is a public/private key, else a secret.

    The decision is made once, from the text alone, never from the token's
    ``alg``: that is what closes the HMAC-with-a-public-key confusion.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if looks_like_public_key_text(raw) and raw.lstrip().startswith(b"-----BEGIN"):
        return Key.import_pem(raw)
    if looks_like_public_key_text(raw):
        raise InvalidKeyError("SSH and JWK text keys must be imported explicitly")
    return Key.from_secret(raw, alg=None)


def coerce_key(key: KeyLike) -> Key | KeySet:
    """Any key ``decode``/``encode`` accept as a gatepass Key or KeySet."""
    if isinstance(key, Key | KeySet):
        return key
    if isinstance(key, str | bytes):
        return _key_from_text(key)
    if isinstance(key, PyJWK | PyJWKSet):
        return key.jose_key
    return Key.from_crypto(key)


def normal_typ(value: str) -> str:
    lowered = value.lower()
    return lowered[len("application/") :] if lowered.startswith("application/") else lowered


def check_typ(header: Mapping[str, Any], expected: str) -> None:
    """Refuse a header whose ``typ`` is not ``expected`` (already normalised)."""
    typ = header.get("typ")
    if typ != expected and (not isinstance(typ, str) or normal_typ(typ) != expected):
        raise ClaimError("typ", "The token's type is not the one expected")


def _allow_list(algorithms: Collection[str] | str | None) -> Collection[str]:
    if not algorithms:
        raise TypeError("An explicit algorithms allow-list is required, e.g. ['HS256']")
    allowed = (algorithms,) if isinstance(algorithms, str) else algorithms
    for name in allowed:
        if name not in ALGORITHMS:
            raise ValueError("Unsupported algorithm in the allow-list")
    return allowed


class Verifier:
    """``decode`` with its key, allow-list and rules resolved once."""

    __slots__ = ("_algorithms", "_clock", "_crit", "_key", "_limits", "_rules", "_typ")

    def __init__(
        self,
        key: KeyLike,
        *,
        algorithms: Collection[str] | str | None,
        audience: Expected = None,
        issuer: Expected = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        options: Mapping[str, Any] | None = None,
        typ: str | None = None,
        required: Iterable[str] = (),
        max_age: float | timedelta | None = None,
        clock: Clock | None = None,
        limits: Limits = DEFAULT_LIMITS,
        crit: Collection[str] = (),
    ) -> None:
        if not verifies_signature(options):
            raise TypeError("A Verifier always verifies the signature; see jwt.decode's options")
        self._key = coerce_key(key)
        self._algorithms = _allow_list(algorithms)
        self._typ = None if typ is None else normal_typ(typ)
        # None: time.time looked up at each call, so freezegun and monkeypatching see it.
        self._clock = clock
        self._limits = limits
        self._crit = crit
        self._rules = claim_rules(audience, issuer, subject, leeway, options, required, max_age)

    def _verified(self, token: str | bytes) -> tuple[Mapping[str, Any], dict[str, Any]]:
        header, payload = jws.verify_shared(
            token, self._key, self._algorithms, self._limits, self._crit
        )
        if self._typ is not None and header.get("typ") != self._typ:
            check_typ(header, self._typ)
        claims = loads_object(payload, "The token payload")
        now = time.time() if self._clock is None else self._clock()
        validate_claims(claims, self._rules, now)
        return header, claims

    def decode_complete(self, token: str | bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        """Verify ``token``; return ``(header, claims)``."""
        header, claims = self._verified(token)
        return dict(header), claims

    def decode(self, token: str | bytes) -> dict[str, Any]:
        """Verify ``token``'s signature and claims; return the claims."""
        return self._verified(token)[1]
