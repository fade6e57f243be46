"""``PyJWT``: PyJWT's JWT object, ``gatepass.jose.jwt``'s functions with instance options."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any

from gatepass.jose import jwt as jwt_api
from gatepass.jose.claims import Expected
from gatepass.jose.verifier import KeyLike

__all__ = ["PyJWT"]


class PyJWT:
    """``options`` given here apply to every ``decode``; a call's own options win."""

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: dict[str, Any] = dict(options or {})

    def _options(self, options: Mapping[str, Any] | None) -> dict[str, Any] | None:
        return {**self.options, **(options or {})} or None

    def encode(
        self,
        payload: Mapping[str, Any],
        key: KeyLike,
        algorithm: str | None = None,
        headers: Mapping[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
    ) -> str:
        return jwt_api.encode(payload, key, algorithm, headers, json_encoder, sort_headers)

    def decode_complete(
        self,
        jwt: str | bytes,
        key: KeyLike = "",
        algorithms: Collection[str] | str | None = None,
        options: Mapping[str, Any] | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: Expected = None,
        issuer: Expected = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
    ) -> dict[str, Any]:
        return jwt_api.decode_complete(
            jwt, key, algorithms, self._options(options), verify, detached_payload,
            audience, issuer, subject, leeway,
        )  # fmt: skip

    def decode(
        self,
        jwt: str | bytes,
        key: KeyLike = "",
        algorithms: Collection[str] | str | None = None,
        options: Mapping[str, Any] | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: Expected = None,
        subject: str | None = None,
        issuer: Expected = None,
        leeway: float | timedelta = 0,
    ) -> dict[str, Any]:
        return jwt_api.decode(
            jwt, key, algorithms, self._options(options), verify, detached_payload,
            audience, subject, issuer, leeway,
        )  # fmt: skip
