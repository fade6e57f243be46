"""``PyJWS``: PyJWT's JWS object over ``gatepass.jose.jws`` (bytes payloads)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from gatepass.errors import JoseError, UnsupportedHeaderError
from gatepass.jose import jws
from gatepass.jose._b64 import b64decode, b64decode_segment
from gatepass.jose.algorithms import ALGORITHMS, Algorithm
from gatepass.jose.exceptions import as_pyjwt
from gatepass.jose.keyset import KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits
from gatepass.jose.options import verifies_signature
from gatepass.jose.pyjwt import algorithms as plugins
from gatepass.jose.pyjwt.api_jwk import PyJWK
from gatepass.jose.verifier import KeyLike, coerce_key

__all__ = ["PyJWS", "get_unverified_header", "sign_compact"]


def sign_compact(
    payload: bytes,
    key: KeyLike,
    algorithm: str | None,
    headers: Mapping[str, Any] | None,
    *,
    typ: str | None = "JWT",
    sort_headers: bool = True,
) -> str:
    """Sign as PyJWT's ``encode`` does: an ``alg`` in ``headers`` wins over ``algorithm``,
    which defaults to the key's own (else HS256 for a text secret); a falsy ``typ``
    in ``headers`` drops it."""
    signing_key = coerce_key(key)
    if isinstance(signing_key, KeySet):
        raise TypeError("Sign with one Key, not a KeySet")
    merged = {"typ": typ, **(headers or {})}
    if not merged["typ"]:
        del merged["typ"]
    alg = merged.pop("alg", None) or algorithm or signing_key.alg
    if alg is None and isinstance(key, str | bytes):
        alg = "HS256"
    return jws.sign(payload, signing_key, alg, headers=merged, sort_header=sort_headers)


def get_unverified_header(jwt: str | bytes) -> dict[str, Any]:
    """The token's header, checked for shape only (PyJWT's ``jwt.get_unverified_header``)."""
    try:
        return jws.parse_header(jws.split(jwt)[0])
    except JoseError as exc:
        raise as_pyjwt(exc) from None


class PyJWS:
    """PyJWT's ``PyJWS``; ``algorithms`` narrows gatepass's table, never extends it."""

    header_typ = "JWT"

    def __init__(
        self,
        algorithms: Collection[str] | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        names = ALGORITHMS if algorithms is None else algorithms
        self._valid = {name for name in names if name in ALGORITHMS}
        self.options: dict[str, Any] = {"verify_signature": True, **(options or {})}
        verifies_signature(self.options)
        self._limits = limits

    def register_algorithm(self, alg_id: str, alg_obj: plugins.Algorithm) -> None:
        raise TypeError("gatepass's algorithm table is fixed: algorithms cannot be registered")

    def unregister_algorithm(self, alg_id: str) -> None:
        """Stop accepting ``alg_id`` here (KeyError if it was not accepted)."""
        if alg_id not in self._valid:
            raise KeyError("The algorithm is not registered")
        self._valid.remove(alg_id)

    def get_algorithms(self) -> list[str]:
        return sorted(self._valid)

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        if alg_name not in self._valid:
            raise NotImplementedError("Algorithm not supported")
        return ALGORITHMS[alg_name]

    def encode(
        self,
        payload: bytes,
        key: KeyLike,
        algorithm: str | None = None,
        headers: Mapping[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        if json_encoder is not None and headers:
            headers = json.loads(json.dumps(headers, cls=json_encoder))
        try:
            if is_payload_detached:
                raise UnsupportedHeaderError("Detached payloads (RFC 7797) are not supported")
            alg = (headers or {}).get("alg") or algorithm
            if alg is not None and alg not in self._valid:
                raise NotImplementedError("Algorithm not supported")
            return sign_compact(
                payload, key, algorithm, headers, typ=self.header_typ, sort_headers=sort_headers
            )
        except JoseError as exc:
            raise as_pyjwt(exc) from None

    def decode_complete(
        self,
        jwt: str | bytes,
        key: KeyLike = "",
        algorithms: Collection[str] | None = None,
        options: Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
    ) -> dict[str, Any]:
        merged = {**self.options, **(options or {})}
        if algorithms is None and isinstance(key, PyJWK):
            algorithms = (key.algorithm_name,)
        try:
            if detached_payload is not None:
                raise UnsupportedHeaderError("Detached payloads (RFC 7797) are not supported")
            h64, p64, s64 = jws.split(jwt, self._limits)
            if not verifies_signature(merged):
                header, payload = jws.parse_header(h64), b64decode(p64)
            else:
                if not algorithms:
                    raise TypeError("An explicit algorithms allow-list is required")
                allowed = [name for name in algorithms if name in self._valid]
                header, payload = jws.verify(
                    jwt, coerce_key(key), algorithms=allowed, limits=self._limits
                )
            return {"payload": payload, "header": header, "signature": b64decode_segment(s64)}
        except JoseError as exc:
            raise as_pyjwt(exc) from None

    def decode(
        self,
        jwt: str | bytes,
        key: KeyLike = "",
        algorithms: Collection[str] | None = None,
        options: Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
    ) -> bytes:
        payload: bytes = self.decode_complete(jwt, key, algorithms, options, detached_payload)[
            "payload"
        ]
        return payload

    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        return get_unverified_header(jwt)
