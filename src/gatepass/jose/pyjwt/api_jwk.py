"""``PyJWK`` and ``PyJWKSet``: PyJWT's JWK objects, each holding a validated gatepass Key."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from gatepass.errors import JoseError
from gatepass.jose.exceptions import InvalidKeyError, PyJWKError, PyJWKSetError, as_pyjwt
from gatepass.jose.keys import Key
from gatepass.jose.keyset import KeySet

__all__ = ["PyJWK", "PyJWKSet"]

#: The algorithm PyJWT infers for a JWK without ``alg``, by (kty, crv).
_INFERRED: Final = {
    ("EC", "P-256"): "ES256",
    ("EC", None): "ES256",
    ("EC", "P-384"): "ES384",
    ("EC", "P-521"): "ES512",
    ("RSA", None): "RS256",
    ("oct", None): "HS256",
    ("OKP", "Ed25519"): "EdDSA",
    ("OKP", "Ed448"): "EdDSA",
}


class PyJWK:
    """One JWK: ``.key`` is the ``cryptography`` key (or the secret bytes), as in PyJWT."""

    def __init__(self, jwk_data: Mapping[str, Any], algorithm: str | None = None) -> None:
        if not isinstance(jwk_data, Mapping) or not jwk_data.get("kty"):
            raise InvalidKeyError("The JWK has no kty")
        kty, crv = jwk_data["kty"], jwk_data.get("crv")
        algorithm = algorithm or jwk_data.get("alg") or _INFERRED.get((kty, crv))
        if algorithm is None:
            raise InvalidKeyError("Unsupported kty or crv")
        self._jwk_data = dict(jwk_data)
        self.algorithm_name: str = algorithm
        try:
            self.jose_key: Key = Key.import_jwk({**jwk_data, "alg": algorithm})
        except JoseError as exc:
            raise as_pyjwt(exc) from None
        if algorithm not in ("EdDSA", "Ed25519") and self.jose_key.kty != kty:
            raise PyJWKError("Unable to find an algorithm for the key")
        self.key: Any = self.jose_key.secret or self.jose_key.crypto

    @staticmethod
    def from_dict(obj: Mapping[str, Any], algorithm: str | None = None) -> PyJWK:
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data: str, algorithm: str | None = None) -> PyJWK:
        return PyJWK.from_dict(json.loads(data), algorithm)

    @property
    def key_type(self) -> str | None:
        return self._jwk_data.get("kty")

    @property
    def key_id(self) -> str | None:
        return self._jwk_data.get("kid")

    @property
    def public_key_use(self) -> str | None:
        return self._jwk_data.get("use")


class PyJWKSet:
    """A JWK Set; members gatepass cannot use (unknown kty, unsafe keys) are skipped."""

    def __init__(self, keys: list[Mapping[str, Any]]) -> None:
        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        candidate: object = keys
        if not isinstance(candidate, list):
            raise PyJWKSetError("Invalid JWK Set value")
        self.keys: list[PyJWK] = []
        members: list[object] = candidate
        for jwk in members:
            if not isinstance(jwk, Mapping):
                continue
            try:
                self.keys.append(PyJWK(jwk))
            except JoseError:
                continue
        if not self.keys:
            raise PyJWKSetError("The JWK Set did not contain any usable keys")
        try:
            self.jose_key = KeySet(k.jose_key for k in self.keys)
        except JoseError as exc:
            raise PyJWKSetError(exc.message) from None

    @staticmethod
    def from_dict(obj: Mapping[str, Any]) -> PyJWKSet:
        return PyJWKSet(obj.get("keys", []))

    @staticmethod
    def from_json(data: str) -> PyJWKSet:
        return PyJWKSet.from_dict(json.loads(data))

    def __getitem__(self, kid: str) -> PyJWK:
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyError("The key set has no key with this kid")

    def __iter__(self) -> Iterator[PyJWK]:
        return iter(self.keys)
