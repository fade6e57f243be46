"""Compact JWE encrypt and decrypt (RFC 7516) over the strict JOSE core.

Decryption is allow-list driven: the token's ``alg`` and ``enc`` must both be
named by the caller, PBES2 and ``zip`` need their own switch and are then
capped. Up to key selection, errors say what was wrong (malformed, too large,
not allowed, no such key); after it, every failure is one DecryptionError, and
a failed key unwrap continues with a random CEK (RFC 7516 §11.5) so neither the
message nor an early exit tells an attacker which step failed.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping
from typing import Any, Final

from gatepass.errors import (
    AlgorithmNotAllowedError,
    DecryptionError,
    InvalidKeyError,
    KeyNotFoundError,
    MalformedTokenError,
    TokenTooLargeError,
    UnsupportedHeaderError,
)
from gatepass.jose._b64 import b64decode
from gatepass.jose._header import check_header_members
from gatepass.jose.jwe import content
from gatepass.jose.jwe.compact import encode_header, join, parse_header, split
from gatepass.jose.jwe.content import ENCRYPTIONS, ContentAlgorithm, generate_cek
from gatepass.jose.jwe.keymgmt import (
    DEFAULT_P2C,
    KEY_ALGORITHMS,
    MIN_P2C,
    KeyAlgorithm,
    check_key,
    unwrap,
    wrap,
)
from gatepass.jose.keys import Key
from gatepass.jose.keyset import KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits

__all__ = ["DEFAULT_MAX_DECOMPRESSED", "decrypt", "encrypt"]

#: The most a ``zip: DEF`` payload may inflate to (CVE-2024-28102, CVE-2024-33664).
DEFAULT_MAX_DECOMPRESSED: Final = 250_000
# Computed by gatepass while encrypting: a caller may not set them.
_COMPUTED: Final = frozenset({"epk", "iv", "tag", "p2s", "zip", "b64"})


def _allow_list(names: Collection[str] | str, table: Mapping[str, object], what: str) -> set[str]:
    if not names:
        raise TypeError(f"An explicit {what} allow-list is required")
    allowed = {names} if isinstance(names, str) else set(names)
    if not allowed.issubset(table):
        raise ValueError(f"Unsupported name in the {what} allow-list")
    return allowed


def _candidates(
    header: Mapping[str, Any], key: Key | KeySet, spec: KeyAlgorithm, enc: ContentAlgorithm
) -> list[Key]:
    kid = header.get("kid")
    if isinstance(key, Key):
        if kid is not None and key.kid_explicit and kid != key.kid:
            raise KeyNotFoundError()
        check_key(spec, enc, key, decrypting=True)
        return [key]
    if not isinstance(key, KeySet):
        raise TypeError("key must be a Key or a KeySet")
    if kid is not None:
        chosen = key.get(kid)
        check_key(spec, enc, chosen, decrypting=True)
        return [chosen]
    found = []
    for candidate in key:
        try:
            check_key(spec, enc, candidate, decrypting=True)
        except (AlgorithmNotAllowedError, InvalidKeyError):
            continue
        found.append(candidate)
    if not found:
        raise KeyNotFoundError()
    return found


def _inflate(data: bytes, cap: int) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error:
        raise DecryptionError() from None
    if len(out) > cap:
        raise TokenTooLargeError("The decompressed payload is larger than allowed")
    if not inflater.eof or inflater.unused_data:
        raise DecryptionError()
    return out


def decrypt(
    token: str | bytes,
    key: Key | KeySet,
    *,
    algorithms: Collection[str] | str,
    encryptions: Collection[str] | str,
    limits: Limits = DEFAULT_LIMITS,
    allow_pbes2: bool = False,
    allow_zip: bool = False,
    max_p2c: int = DEFAULT_P2C,
    max_decompressed: int = DEFAULT_MAX_DECOMPRESSED,
    crit: Collection[str] = (),
) -> tuple[dict[str, Any], bytes]:
    """Decrypt a compact JWE; return ``(protected header, plaintext)``.

    ``algorithms`` (key management) and ``encryptions`` (content) are the
    caller's allow-lists. PBES2 needs ``allow_pbes2`` as well, with ``p2c`` at
    most ``max_p2c``; ``zip: DEF`` needs ``allow_zip`` and inflates to at most
    ``max_decompressed`` bytes. ``crit`` lists the extensions the caller handles.
    """
    allowed_algs = _allow_list(algorithms, KEY_ALGORITHMS, "algorithms")
    allowed_encs = _allow_list(encryptions, ENCRYPTIONS, "encryptions")
    parts = split(token, limits)
    header = parse_header(parts.protected)
    spec = KEY_ALGORITHMS.get(header["alg"]) if header["alg"] in allowed_algs else None
    if spec is None or (spec.family == "PBES2" and not allow_pbes2):
        raise AlgorithmNotAllowedError()
    enc = ENCRYPTIONS.get(header["enc"]) if header["enc"] in allowed_encs else None
    if enc is None:
        raise AlgorithmNotAllowedError("The token's content encryption is not allowed")
    if "zip" in header and (not allow_zip or header["zip"] != "DEF"):
        raise UnsupportedHeaderError("Compressed tokens are not accepted")
    if "crit" in header and not set(header["crit"]).issubset(crit):
        raise UnsupportedHeaderError()
    if spec.family == "PBES2" and not MIN_P2C <= header.get("p2c", 0) <= max_p2c:
        raise UnsupportedHeaderError(
            f"The PBES2 iteration count must be between {MIN_P2C} and {max_p2c}"
        )
    encrypted_key = b64decode(parts.encrypted_key, checked_alphabet=True)
    iv = b64decode(parts.iv, checked_alphabet=True)
    ciphertext = b64decode(parts.ciphertext, checked_alphabet=True)
    tag = b64decode(parts.tag, checked_alphabet=True)
    aad = parts.protected.encode("ascii")
    for candidate in _candidates(header, key, spec, enc):
        try:
            cek = unwrap(spec, enc, candidate, header, encrypted_key)
        except DecryptionError:
            cek = generate_cek(enc)  # fail at the tag, like a wrong key would
        try:
            plaintext = content.decrypt(enc, cek, iv, ciphertext, tag, aad)
        except DecryptionError:
            continue
        if "zip" in header:
            plaintext = _inflate(plaintext, max_decompressed)
        return dict(header), plaintext
    raise DecryptionError()


def _merge_headers(header: dict[str, Any], extra: Mapping[str, Any], spec: KeyAlgorithm) -> None:
    if not isinstance(extra, Mapping) or not all(isinstance(k, str) for k in extra):
        raise TypeError("headers must be a mapping with string keys")
    for name in ("alg", "enc"):
        if name in extra and extra[name] != header[name]:
            raise AlgorithmNotAllowedError(f"The headers' {name} differs from the one requested")
    if not _COMPUTED.isdisjoint(extra):
        raise UnsupportedHeaderError("These header parameters are set by gatepass, not the caller")
    for name in ("kid", "typ", "cty", "apu", "apv"):
        if name in extra and not isinstance(extra[name], str):
            raise TypeError(f"The {name!r} header must be a string")
    if ("apu" in extra or "apv" in extra) and spec.family != "ECDH-ES":
        raise UnsupportedHeaderError("apu and apv are only for ECDH-ES")
    for name in ("apu", "apv"):
        if name in extra:
            b64decode(extra[name])  # must be base64url; raises MalformedTokenError
    if "p2c" in extra:
        p2c = extra["p2c"]
        if spec.family != "PBES2":
            raise UnsupportedHeaderError("p2c is only for PBES2")
        if not isinstance(p2c, int) or isinstance(p2c, bool) or p2c < MIN_P2C:
            raise ValueError(f"p2c must be an integer of at least {MIN_P2C}")
    try:  # the rule decrypt applies (check_header_members), so encrypt never makes what it refuses
        check_header_members(extra, ())
    except MalformedTokenError:
        raise UnsupportedHeaderError(
            "crit must list extension parameters present in the header"
        ) from None
    header.update(extra)


def encrypt(
    plaintext: bytes,
    key: Key,
    *,
    alg: str,
    enc: str,
    headers: Mapping[str, Any] | None = None,
    zip: str | None = None,  # the JOSE header's own name
) -> str:
    """Encrypt ``plaintext`` to ``key`` as a compact JWE.

    ``headers`` adds protected header members (``kid``, ``typ``, ``cty``,
    ``apu``/``apv`` for ECDH-ES, ``p2c`` for PBES2, extensions). ``zip="DEF"``
    compresses first: only do it when the plaintext holds nothing an attacker
    can influence next to a secret (compression leaks length).
    """
    if not isinstance(plaintext, bytes | bytearray | memoryview):
        raise TypeError("The plaintext must be bytes")
    if not isinstance(key, Key):
        raise TypeError("Encrypt to one Key, not a KeySet")
    spec = KEY_ALGORITHMS.get(alg)
    if spec is None:
        raise AlgorithmNotAllowedError("Unsupported key management algorithm")
    enc_spec = ENCRYPTIONS.get(enc)
    if enc_spec is None:
        raise AlgorithmNotAllowedError("Unsupported content encryption algorithm")
    check_key(spec, enc_spec, key, decrypting=False)
    header: dict[str, Any] = {"alg": alg, "enc": enc}
    data = bytes(plaintext)
    if zip is not None:
        if zip != "DEF":
            raise UnsupportedHeaderError("The only compression is DEF")
        header["zip"] = "DEF"
        deflater = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data = deflater.compress(data) + deflater.flush()
    if headers:
        _merge_headers(header, headers, spec)
    if key.kid_explicit:
        header.setdefault("kid", key.kid)
    cek, encrypted_key = wrap(spec, enc_spec, key, header)
    protected = encode_header(header)
    iv, ciphertext, tag = content.encrypt(enc_spec, cek, data, protected.encode("ascii"))
    return join(protected, encrypted_key, iv, ciphertext, tag)
