"""The id_token check (OpenID Connect Core §3.1.3.7), with ``gatepass.jose``. Pure.

In this order, each failure a ``FederationTokenError`` (the JOSE error's
code is logged by the caller, never the token):

1. the signature, with the provider's JWK Set and an allow-list of the
   public-key algorithms its metadata lists (``metadata.id_token_algorithms``):
   ``none`` is in no table, an HMAC algorithm is never allowed, and a key is
   only ever used with an algorithm of its own type (``Key.check_alg``);
2. ``iss`` exactly the configured issuer; ``aud`` contains the client id;
   ``azp``, when present or when ``aud`` has several members, is the client id;
3. ``exp`` not passed, ``iat`` not in the future (``leeway`` either way) and not
   older than ``MAX_AGE``; ``sub`` a non-empty string;
4. ``nonce`` equal to this browser's handshake's (constant time);
5. ``at_hash``, when present (Core §3.2.2.9, optional in the code flow), the
   left half of the access token's hash under the signing algorithm's hash
   (SHA-512 for EdDSA): an id_token paired with another access token than the
   one the token endpoint sent is refused, since that access token is what
   the userinfo endpoint is asked with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection
from typing import Any, Final

from gatepass.errors import FederationTokenError
from gatepass.jose import ALGORITHMS, KeySet
from gatepass.jose.jwt import decode, get_unverified_header

__all__ = ["LEEWAY", "MAX_AGE", "verify_id_token"]

#: Clock skew tolerated between gatepass and the provider, seconds.
LEEWAY: Final = 60
#: An id_token issued longer ago than this is refused (the code was just redeemed).
MAX_AGE: Final = 600
_REQUIRED: Final = ("iss", "sub", "aud", "exp", "iat", "nonce")


def verify_id_token(
    token: str,
    keys: KeySet,
    *,
    issuer: str,
    client_id: str,
    algorithms: Collection[str],
    nonce: str,
    now: float,
    access_token: str | None = None,
) -> dict[str, Any]:
    """The id_token's claims once every check above passed; ``JoseError`` for a
    signature or claim refused (the caller refetches the keys on ``key_not_found``),
    ``FederationTokenError`` for the OpenID rules beyond JOSE's."""
    claims = decode(
        token,
        keys,
        algorithms=sorted(algorithms),
        audience=client_id,
        issuer=issuer,
        leeway=LEEWAY,
        required=_REQUIRED,
        max_age=MAX_AGE,
        clock=lambda: now,
    )
    audience = claims["aud"]
    azp = claims.get("azp")
    if (azp is not None or (isinstance(audience, list) and len(audience) > 1)) and (
        azp != client_id
    ):
        raise FederationTokenError()
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise FederationTokenError()
    given = claims["nonce"]
    if not isinstance(given, str) or not hmac.compare_digest(
        given.encode("utf-8"), nonce.encode("ascii")
    ):
        raise FederationTokenError()
    if "at_hash" in claims:
        # The signature over the header was verified above, its alg is one allowed.
        alg = get_unverified_header(token)["alg"]
        if access_token is None or not _hash_matches(claims["at_hash"], access_token, alg):
            raise FederationTokenError()
    return claims


def _hash_matches(given: object, access_token: str, alg: str) -> bool:
    spec = ALGORITHMS.get(alg)
    if not isinstance(given, str) or spec is None:
        return False
    digest = hashlib.new(spec.hash_name or "sha512", access_token.encode("utf-8")).digest()
    expected = base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=")
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected)
