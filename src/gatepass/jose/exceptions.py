"""PyJWT's exception names and hierarchy, grafted onto gatepass's own.

::

    JoseError (gatepass.errors)
    └── PyJWTError
        ├── InvalidTokenError
        │   ├── DecodeError
        │   │   └── InvalidSignatureError
        │   ├── ExpiredSignatureError
        │   ├── InvalidAudienceError
        │   ├── InvalidIssuerError
        │   ├── InvalidIssuedAtError
        │   ├── ImmatureSignatureError
        │   ├── InvalidAlgorithmError
        │   ├── MissingRequiredClaimError   (.claim)
        │   ├── InvalidSubjectError
        │   └── InvalidJTIError
        ├── InvalidKeyError
        ├── PyJWKError
        │   └── MissingCryptographyError
        ├── PyJWKSetError
        └── PyJWKClientError
            └── PyJWKClientConnectionError

The PyJWT-shaped API (``gatepass.jose.jwt.decode``, ``PyJWT``, ``PyJWS``, ...)
raises the gatepass error it always raised, as an instance of a class that is
both that error and its PyJWT name (:func:`as_pyjwt`): ``except
jwt.ExpiredSignatureError`` and ``except gatepass.errors.TokenExpiredError``
catch the same expired token, and ``.code`` keeps its stable value. The
message is gatepass's fixed text, never PyJWT's (which can quote the token).
"""

from __future__ import annotations

from typing import Final

from gatepass import errors

__all__ = [
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "MissingCryptographyError",
    "MissingRequiredClaimError",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
    "as_pyjwt",
]


class PyJWTError(errors.JoseError):
    """Base of PyJWT's exceptions; a gatepass ``JoseError`` (``str()`` is ``code: message``)."""


class InvalidTokenError(PyJWTError):
    pass


class DecodeError(InvalidTokenError):
    pass


class InvalidSignatureError(DecodeError):
    pass


class ExpiredSignatureError(InvalidTokenError):
    pass


class InvalidAudienceError(InvalidTokenError):
    pass


class InvalidIssuerError(InvalidTokenError):
    pass


class InvalidIssuedAtError(InvalidTokenError):
    pass


class ImmatureSignatureError(InvalidTokenError):
    pass


class InvalidKeyError(PyJWTError):
    pass


class InvalidAlgorithmError(InvalidTokenError):
    pass


class MissingRequiredClaimError(InvalidTokenError):
    def __init__(self, claim: str) -> None:
        self.claim = claim
        super().__init__(f"Token is missing the {claim!r} claim")


class InvalidSubjectError(InvalidTokenError):
    pass


class InvalidJTIError(InvalidTokenError):
    pass


class PyJWKError(PyJWTError):
    pass


class MissingCryptographyError(PyJWKError):
    pass


class PyJWKSetError(PyJWTError):
    pass


class PyJWKClientError(PyJWTError):
    pass


class PyJWKClientConnectionError(PyJWKClientError):
    pass


# -- what decode raises: the gatepass error and its PyJWT name in one class ----------


class _Malformed(DecodeError, errors.MalformedTokenError):
    pass


class _TooLarge(DecodeError, errors.TokenTooLargeError):
    pass


class _AlgorithmNotAllowed(InvalidAlgorithmError, errors.AlgorithmNotAllowedError):
    pass


class _UnsupportedHeader(DecodeError, errors.UnsupportedHeaderError):
    pass


class _BadSignature(InvalidSignatureError, errors.BadSignatureError):
    pass


class _KeyNotFound(InvalidSignatureError, errors.KeyNotFoundError):
    pass


class _Decryption(DecodeError, errors.DecryptionError):
    pass


class _InvalidKey(InvalidKeyError, errors.InvalidKeyError):
    pass


class _SensitiveClaim(PyJWTError, errors.SensitiveClaimError):
    pass


class _Expired(ExpiredSignatureError, errors.TokenExpiredError):
    pass


class _NotYetValid(ImmatureSignatureError, errors.TokenNotYetValidError):
    pass


class _Missing(MissingRequiredClaimError, errors.MissingClaimError):
    pass


class _Claim(InvalidTokenError, errors.ClaimError):
    pass


class _Audience(InvalidAudienceError, errors.ClaimError):
    pass


class _Issuer(InvalidIssuerError, errors.ClaimError):
    pass


class _IssuedAt(InvalidIssuedAtError, errors.ClaimError):
    pass


class _Subject(InvalidSubjectError, errors.ClaimError):
    pass


class _JTI(InvalidJTIError, errors.ClaimError):
    pass


class _TimeFormat(DecodeError, errors.ClaimError):
    pass


class _Jose(InvalidTokenError):
    pass


_BY_CLASS: Final[dict[type[errors.JoseError], type[PyJWTError]]] = {
    errors.MalformedTokenError: _Malformed,
    errors.TokenTooLargeError: _TooLarge,
    errors.AlgorithmNotAllowedError: _AlgorithmNotAllowed,
    errors.UnsupportedHeaderError: _UnsupportedHeader,
    errors.BadSignatureError: _BadSignature,
    errors.KeyNotFoundError: _KeyNotFound,
    errors.DecryptionError: _Decryption,
    errors.InvalidKeyError: _InvalidKey,
    errors.SensitiveClaimError: _SensitiveClaim,
    errors.TokenExpiredError: _Expired,
    errors.TokenNotYetValidError: _NotYetValid,
    errors.MissingClaimError: _Missing,
}
#: A ClaimError about one of these claims has PyJWT's name for that claim.
_BY_CLAIM: Final[dict[str, type[PyJWTError]]] = {
    "aud": _Audience,
    "iss": _Issuer,
    "iat": _IssuedAt,
    "sub": _Subject,
    "jti": _JTI,
    "exp": _TimeFormat,
    "nbf": _TimeFormat,
}


def as_pyjwt(exc: errors.JoseError) -> PyJWTError:
    """``exc`` as an instance of its gatepass class and its PyJWT name (same message, claim)."""
    if isinstance(exc, PyJWTError):
        return exc
    cls = _BY_CLASS.get(type(exc))
    if cls is None:
        claim = str(getattr(exc, "claim", ""))
        cls = _BY_CLAIM.get(claim, _Claim) if isinstance(exc, errors.ClaimError) else _Jose
    translated = cls.__new__(cls)
    translated.__dict__.update(exc.__dict__)  # message, and claim for claim errors
    translated.args = exc.args
    return translated
