"""PyJWT's ``Options`` for ``decode``'s ``options`` (the keys ``gatepass.jose.options`` reads)."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["Options", "SigOptions"]


class SigOptions(TypedDict, total=False):
    """Options for ``PyJWS``."""

    verify_signature: bool
    enforce_minimum_key_length: bool


class Options(TypedDict, total=False):
    """Options for ``jwt.decode`` and ``jwt.decode_complete``; every key is optional."""

    verify_signature: bool
    require: list[str]
    require_exp: bool
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
