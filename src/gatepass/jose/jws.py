"""Compact JWS (RFC 7515 §7.1): sign and verify.

The protected header is the only header. Keys come only from the caller:
``jwk``, ``jku``, ``x5u`` and ``x5c`` in a header are never a source of keys,
and ``kid`` is an opaque string used for lookup in the caller's KeySet. A
``crit`` extension the caller did not declare understood rejects the token
(RFC 7515 §4.1.11, App. E). Sizes are capped before any decoding.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any, Final

from gatepass.errors import (
    AlgorithmNotAllowedError,
    BadSignatureError,
    JoseError,
    KeyNotFoundError,
    MalformedTokenError,
    TokenTooLargeError,
    UnsupportedHeaderError,
)
from gatepass.jose._b64 import b64decode_segment, b64encode
from gatepass.jose._header import check_header_members
from gatepass.jose._json import dumps, loads_object
from gatepass.jose.algorithms import ALGORITHMS, algorithms_for_key
from gatepass.jose.keys import Key
from gatepass.jose.keyset import KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits

__all__ = ["parse_header", "sign", "split", "verify", "verify_shared"]

_JWE_ONLY: Final = frozenset({"enc", "zip", "epk", "p2s", "p2c", "iv", "tag"})
_STRING_MEMBERS: Final = ("kid", "typ", "cty")


def split(token: str | bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str, str]:
    """Check the compact form and sizes; return the three base64url segments."""
    if token.__class__ is not str:
        if not isinstance(token, bytes | bytearray | str):
            raise MalformedTokenError("The token must be a string")
        token = bytes(token).decode("ascii", "replace") if not isinstance(token, str) else token
    if len(token) > limits.max_token_bytes:
        raise TokenTooLargeError()
    # The alphabet is enforced where each segment is decoded (strict base64
    # after mapping "-_" to "+/"); excluding "+/=" here makes that mapping exact.
    if not token.isascii() or "+" in token or "/" in token or "=" in token:
        raise MalformedTokenError("The token is not a compact JWS")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0]:
        raise MalformedTokenError("The token is not a compact JWS")
    h64, p64, s64 = parts
    # base64url text of n bytes is (4n + 2) // 3 characters long
    if len(h64) > (limits.max_header_bytes * 4 + 2) // 3:
        raise TokenTooLargeError("The token header is larger than allowed")
    if len(p64) > (limits.max_payload_bytes * 4 + 2) // 3:
        raise TokenTooLargeError("The token payload is larger than allowed")
    return h64, p64, s64


@lru_cache(maxsize=512)
def _cached_header(h64: str) -> Mapping[str, Any]:
    # Shared between calls: callers only read it; ``verify`` hands out copies.
    return _check_header(h64)


def _check_header(h64: str) -> dict[str, Any]:
    header = loads_object(b64decode_segment(h64), "The token header")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise MalformedTokenError("The token header has no algorithm")
    check_header_members(header, _STRING_MEMBERS)
    if not _JWE_ONLY.isdisjoint(header):
        raise MalformedTokenError("The token header is a JWE header")
    if "b64" in header and header["b64"] is not True:
        raise UnsupportedHeaderError("Unencoded payloads (b64=false) are not supported")
    return header


def parse_header(h64: str) -> dict[str, Any]:
    """Decode and check one protected header segment (cached by its exact text)."""
    return _check_header(h64)


def _candidates(header: Mapping[str, Any], key: Key | KeySet, alg: str) -> list[Key]:
    kid = header.get("kid")
    if key.__class__ is Key or isinstance(key, Key):
        if kid is not None and key.kid_explicit and kid != key.kid:
            raise KeyNotFoundError()
        return [key]
    if not isinstance(key, KeySet):
        raise TypeError("key must be a Key or a KeySet")
    if kid is not None:
        return [key.get(kid)]
    found = [k for k in key if alg in algorithms_for_key(k)]
    if not found:
        raise KeyNotFoundError()
    return found


def verify(
    token: str | bytes,
    key: Key | KeySet,
    *,
    algorithms: Collection[str],
    limits: Limits = DEFAULT_LIMITS,
    crit: Collection[str] = (),
) -> tuple[dict[str, Any], bytes]:
    """Verify a compact JWS and return ``(header, payload)``.

    ``algorithms`` is the caller's allow-list; the token's ``alg`` must be in it
    and must suit the key. ``crit`` lists the header extensions the caller
    understands and will process.
    """
    header, payload = verify_shared(token, key, algorithms, limits, crit)
    return dict(header), payload


def verify_shared(
    token: str | bytes,
    key: Key | KeySet,
    algorithms: Collection[str],
    limits: Limits,
    crit: Collection[str],
) -> tuple[Mapping[str, Any], bytes]:
    """``verify`` returning the cached header itself: read it, never change it."""
    h64, p64, s64 = split(token, limits)
    header = _cached_header(h64)
    alg = header["alg"]
    if alg not in algorithms or alg not in ALGORITHMS:
        raise AlgorithmNotAllowedError()
    if "crit" in header and not set(header["crit"]).issubset(crit):
        raise UnsupportedHeaderError()
    signature = b64decode_segment(s64)
    signing_input = f"{h64}.{p64}".encode("ascii")
    if key.__class__ is Key and (not key.kid_explicit or header.get("kid", key.kid) == key.kid):
        # The common case, one key given directly: no candidate list to build.
        verify_fn = key._verifiers.get(alg) or key.verifier(alg)
        if verify_fn(signing_input, signature):
            return header, b64decode_segment(p64)
        raise BadSignatureError()
    refusal: JoseError | None = None
    for candidate in _candidates(header, key, alg):
        try:
            verify_fn = candidate.verifier(alg)
        except JoseError as exc:  # this key may not be used with alg
            refusal = exc
            continue
        if verify_fn(signing_input, signature):
            return header, b64decode_segment(p64)
        refusal = None
    raise refusal or BadSignatureError()


def sign(
    payload: bytes,
    key: Key,
    alg: str | None = None,
    *,
    headers: Mapping[str, Any] | None = None,
    sort_header: bool = False,
) -> str:
    """Sign ``payload`` into a compact JWS; ``alg`` defaults to the key's own.

    ``sort_header`` writes the header's members in name order (PyJWT's default).
    """
    alg = alg or key.alg
    if alg is None:
        raise AlgorithmNotAllowedError("An algorithm is required to sign")
    signer = key.signer(alg)
    header: dict[str, Any] = {"alg": alg}
    if headers:
        if headers.get("alg", alg) != alg:
            raise AlgorithmNotAllowedError("The header's alg differs from the signing algorithm")
        if not _JWE_ONLY.isdisjoint(headers) or "b64" in headers:
            raise UnsupportedHeaderError("These header parameters are not for a JWS")
        header.update(headers)
        try:  # never sign a header that verify would refuse
            check_header_members(header, _STRING_MEMBERS)
        except MalformedTokenError:
            raise UnsupportedHeaderError(
                "kid, typ and cty must be strings, and crit must list extensions in the header"
            ) from None
    if key.kid_explicit:
        header.setdefault("kid", key.kid)
    if sort_header:
        header = dict(sorted(header.items()))
    signing_input = f"{b64encode(dumps(header))}.{b64encode(payload)}"
    return f"{signing_input}.{b64encode(signer(signing_input.encode('ascii')))}"
