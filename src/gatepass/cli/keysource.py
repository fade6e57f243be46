"""Where ``token verify``/``sign``/``decode`` get keys: files, a JWKS URL, an env var.

- ``--key FILE``: a JWK, a JWKS (``{"keys": [...]}``) or a PEM key/certificate;
- ``--jwks URL``: fetched with httpx (timeout, no redirects), or a local file;
- ``--secret-env VAR``: an HS256 secret read from that environment variable,
  so the secret never appears on the command line or in shell history.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Final

import orjson

from gatepass.errors import InvalidKeyError, ServiceUnavailableError
from gatepass.jose import Key, KeySet
from gatepass.jose.algorithms import algorithms_for_key

__all__ = ["algorithms_for", "fetch_jwks", "key_from_file", "secret_from_env"]

MAX_KEY_FILE_BYTES: Final = 1 << 20
JWKS_TIMEOUT_S: Final = 5.0
#: Fixed text: httpx's own message quotes the URL (and so any attacker-chosen host).
BAD_URL: Final = "--jwks is not a valid http(s) URL"


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_KEY_FILE_BYTES + 1)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise InvalidKeyError("The key file is larger than 1 MiB")
    return data


def _parse(data: bytes) -> Key | KeySet:
    if data.lstrip().startswith(b"-----BEGIN"):
        return Key.import_pem(data)
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise InvalidKeyError("The key file is neither JSON (JWK, JWKS) nor PEM") from None
    if isinstance(parsed, dict) and "keys" in parsed:
        return KeySet.import_jwks(parsed)
    if not isinstance(parsed, dict):
        raise InvalidKeyError("The key file must hold a JWK or a JWKS object")
    return Key.import_jwk(parsed)


def key_from_file(path: Path) -> Key | KeySet:
    """A key or key set from a JWK, JWKS or PEM file."""
    return _parse(_read(path))


def fetch_jwks(source: str) -> KeySet:
    """A JWKS from an http(s) URL (5 s timeout) or a local file."""
    if not source.lower().startswith(("http://", "https://")):
        keys = key_from_file(Path(source))
        return keys if isinstance(keys, KeySet) else KeySet([keys])
    import httpx

    # The 5 s is a total deadline and the 1 MiB cap holds while reading: httpx's own
    # timeout is per read, so a server dripping a byte at a time (or streaming
    # without end) would otherwise hold the command for ever or fill memory.
    deadline = time.monotonic() + JWKS_TIMEOUT_S
    body = bytearray()
    try:
        with httpx.stream("GET", source, timeout=JWKS_TIMEOUT_S, follow_redirects=False) as reply:
            if reply.status_code != 200:
                raise ServiceUnavailableError(f"The JWKS URL answered HTTP {reply.status_code}")
            for chunk in reply.iter_bytes():
                body += chunk
                if len(body) > MAX_KEY_FILE_BYTES:
                    raise InvalidKeyError("The JWKS is larger than 1 MiB")
                if time.monotonic() > deadline:
                    raise ServiceUnavailableError("The JWKS URL did not answer in time")
    except httpx.InvalidURL:
        raise ValueError(BAD_URL) from None
    except httpx.HTTPError:
        raise ServiceUnavailableError("The JWKS URL could not be reached") from None
    except UnicodeError:  # a host name IDNA refuses (too long a label, say)
        raise ValueError(BAD_URL) from None
    keys = _parse(bytes(body))
    if not isinstance(keys, KeySet):
        raise InvalidKeyError("The JWKS URL did not return a JWK Set")
    return keys


def secret_from_env(variable: str) -> Key:
    """An HS256 key from the secret in ``variable`` (at least 32 bytes)."""
    value = os.environ.get(variable)
    if not value:
        raise InvalidKeyError("The environment variable named by --secret-env is not set")
    return Key.from_secret(value, alg="HS256")


def algorithms_for(keys: Key | KeySet) -> list[str]:
    """Every signature algorithm the given keys may verify or sign with."""
    found: set[str] = set()
    for key in (keys,) if isinstance(keys, Key) else keys:
        found |= algorithms_for_key(key)
    if not found:
        raise InvalidKeyError("No signature algorithm suits the given key")
    return sorted(found)
