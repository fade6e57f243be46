"""The strict JOSE core: JWS, JWK/JWKS, JWT claims (and JWE in ``gatepass.jose.jwe``).

Pure and synchronous: no I/O, no mutable module state that changes results,
the clock injectable. Safe by default, unsafe only by name
(``decode_unverified``).
"""

from gatepass.jose import jws, jwt
from gatepass.jose.algorithms import ALGORITHMS, Algorithm
from gatepass.jose.jwt import Verifier, decode, decode_unverified, encode
from gatepass.jose.keys import Key
from gatepass.jose.keyset import KeySet
from gatepass.jose.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "ALGORITHMS",
    "DEFAULT_LIMITS",
    "Algorithm",
    "Key",
    "KeySet",
    "Limits",
    "Verifier",
    "decode",
    "decode_unverified",
    "encode",
    "jws",
    "jwt",
]
