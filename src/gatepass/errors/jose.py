"""The JOSE core's errors: a token, key or header refused, a claim that failed.

Part of ``gatepass.errors`` (its docstring draws the tree); import from there.
"""

from __future__ import annotations

from gatepass.errors.base import GatepassError

__all__ = [
    "AlgorithmNotAllowedError",
    "BadSignatureError",
    "ClaimError",
    "DecryptionError",
    "InvalidKeyError",
    "JoseError",
    "KeyNotFoundError",
    "MalformedTokenError",
    "MissingClaimError",
    "SensitiveClaimError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenTooLargeError",
    "UnsupportedHeaderError",
]


class JoseError(GatepassError):
    """A token, key or header was refused by the JOSE core."""

    code = "jose_error"
    default_message = "The token could not be processed"


class MalformedTokenError(JoseError):
    code = "malformed_token"
    default_message = "The token is malformed"


class TokenTooLargeError(JoseError):
    code = "token_too_large"
    default_message = "The token is larger than allowed"


class AlgorithmNotAllowedError(JoseError):
    code = "alg_not_allowed"
    default_message = "The token's algorithm is not allowed"


class UnsupportedHeaderError(JoseError):
    code = "unsupported_header"
    default_message = "The token's header uses an unsupported critical parameter"


class BadSignatureError(JoseError):
    code = "bad_signature"
    default_message = "The signature is invalid"


class DecryptionError(JoseError):
    code = "decryption_failed"
    default_message = "The token could not be decrypted"


class InvalidKeyError(JoseError):
    code = "invalid_key"
    default_message = "The key is invalid or unsafe"


class KeyNotFoundError(JoseError):
    code = "key_not_found"
    default_message = "No key matches the token"


class SensitiveClaimError(JoseError):
    """``encode`` refused a payload holding a claim named like a secret."""

    code = "sensitive_claim"
    default_message = "The payload holds a sensitive claim"

    def __init__(self, claim: str, message: str | None = None) -> None:
        self.claim = claim
        super().__init__(message or f"Refusing to put sensitive claim {claim!r} in a token")


class ClaimError(JoseError):
    """A claim failed validation. ``claim`` names it (a name gatepass checked)."""

    code = "claim_invalid"
    default_message = "A claim is invalid"

    def __init__(self, claim: str, message: str | None = None) -> None:
        self.claim = claim
        super().__init__(message or f"The {claim!r} claim is invalid")


class MissingClaimError(ClaimError):
    code = "claim_missing"

    def __init__(self, claim: str, message: str | None = None) -> None:
        super().__init__(claim, message or f"The {claim!r} claim is required")


class TokenExpiredError(ClaimError):
    code = "token_expired"

    def __init__(self, claim: str = "exp", message: str | None = None) -> None:
        super().__init__(claim, message or "The token has expired")


class TokenNotYetValidError(ClaimError):
    code = "token_not_yet_valid"

    def __init__(self, claim: str = "nbf", message: str | None = None) -> None:
        super().__init__(claim, message or "The token is not yet valid")
