"""Key material and base64 helpers the Key, JWK and KeySet tests share."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}
RSA_1024 = rsa.generate_private_key(public_exponent=65537, key_size=1024)
RSA_2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64int(value: int) -> str:
    return b64(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def rsa_jwk(obj: rsa.RSAPublicKey) -> dict[str, Any]:
    numbers = obj.public_numbers()
    return {"kty": "RSA", "n": b64int(numbers.n), "e": b64int(numbers.e)}
