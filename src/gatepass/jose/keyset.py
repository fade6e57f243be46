"""Key sets (RFC 7517 §5 JWK Sets): keys selected by kid, alg, use, key_ops and kty.

A set never mixes secret and public keys and never holds two keys with one
kid. Reading a JWK Set skips members of a key type gatepass does not know;
:meth:`KeySet.import_usable_jwks` also skips (and counts) the ones it refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from gatepass.errors import InvalidKeyError, KeyNotFoundError
from gatepass.jose.jwk import KNOWN_KTY
from gatepass.jose.keys import Key

__all__ = ["KeySet"]


class KeySet:
    """A JWK Set: keys selected by kid, alg, use, key_ops and kty."""

    __slots__ = ("_by_kid", "_keys")

    def __init__(self, keys: Iterable[Key]) -> None:
        self._keys = tuple(keys)
        self._by_kid: dict[str, Key] = {}
        for key in self._keys:
            if not isinstance(key, Key):
                raise TypeError("KeySet takes Key objects")
            if key.kid in self._by_kid:
                raise InvalidKeyError("Duplicate kid in key set")
            self._by_kid[key.kid] = key
        if len({k.kty == "oct" for k in self._keys}) > 1:
            raise InvalidKeyError("A key set must not mix secret and public keys")

    @classmethod
    def import_jwks(cls, jwks: Mapping[str, Any]) -> KeySet:
        """Import ``{"keys": [...]}``; keys of a type gatepass does not know are skipped."""
        return cls(Key.import_jwk(k) for k in _known_members(jwks))

    @classmethod
    def import_usable_jwks(cls, jwks: Mapping[str, Any]) -> tuple[KeySet, int]:
        """A third party's JWK Set: the keys gatepass can use, and how many it skipped.

        RFC 7517 §5: keys with a ``kty`` not understood, missing members, or
        values out of the supported range (a secp256k1 curve, a 1024-bit RSA
        modulus) are ignored rather than failing the whole set.
        """
        members = jwks.get("keys") if isinstance(jwks, Mapping) else None
        usable: list[Key] = []
        for member in _known_members(jwks):
            try:
                usable.append(Key.import_jwk(member))
            except InvalidKeyError:
                continue
        assert isinstance(members, list)  # _known_members checked it
        return cls(usable), len(members) - len(usable)

    def export_jwks(self, private: bool = False) -> dict[str, Any]:
        return {"keys": [k.export_jwk(private=private) for k in self._keys]}

    def select(
        self,
        *,
        kid: str | None = None,
        alg: str | None = None,
        use: str | None = None,
        key_op: str | None = None,
        kty: str | None = None,
    ) -> list[Key]:
        """Keys matching every given criterion (a key without use/key_ops/alg matches any)."""
        return [
            k
            for k in self._keys
            if (kid is None or k.kid == kid)
            and (kty is None or k.kty == kty)
            and (alg is None or k.alg in (None, alg))
            and (use is None or k.use in (None, use))
            and (key_op is None or k.key_ops is None or key_op in k.key_ops)
        ]

    def get(self, kid: str) -> Key:
        try:
            return self._by_kid[kid]
        except (KeyError, TypeError):
            raise KeyNotFoundError() from None

    def __iter__(self) -> Iterator[Key]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeySet({len(self._keys)} keys)"


def _known_members(jwks: Mapping[str, Any]) -> list[Any]:
    """The ``keys`` of a JWK Set whose ``kty`` gatepass knows (others are ignored)."""
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise InvalidKeyError("A JWK Set must be an object with a list of keys")
    return [k for k in keys if not isinstance(k, Mapping) or k.get("kty") in KNOWN_KTY]
