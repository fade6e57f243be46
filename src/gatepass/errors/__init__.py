"""One error hierarchy for all of gatepass, with stable codes.

::

    GatepassError                      (code)
    ├── JoseError
    │   ├── MalformedTokenError        malformed_token
    │   ├── TokenTooLargeError         token_too_large
    │   ├── AlgorithmNotAllowedError   alg_not_allowed
    │   ├── UnsupportedHeaderError     unsupported_header
    │   ├── BadSignatureError          bad_signature
    │   ├── DecryptionError            decryption_failed
    │   ├── InvalidKeyError            invalid_key
    │   ├── KeyNotFoundError           key_not_found
    │   ├── SensitiveClaimError        sensitive_claim     (.claim)
    │   └── ClaimError                 claim_invalid       (.claim)
    │       ├── MissingClaimError      claim_missing       (.claim)
    │       ├── TokenExpiredError      token_expired       (.claim == "exp")
    │       └── TokenNotYetValidError  token_not_yet_valid (.claim == "nbf" or "iat")
    ├── AuthError                                          (raised by the server)
    │   ├── MissingTokenError          missing_token
    │   ├── InvalidTokenError          invalid_token       (.mailed: a one-time token from a mail)
    │   ├── InvalidCredentialsError    invalid_credentials
    │   ├── ForbiddenError             forbidden
    │   │   └── InsufficientScopeError insufficient_scope  (a role or scope is missing)
    │   ├── CsrfError                  csrf_failed
    │   ├── RateLimitedError           rate_limited        (.retry_after)
    │   ├── RefreshTokenReuseError     refresh_token_reused
    │   ├── RegistrationClosedError    registration_closed
    │   ├── EmailNotVerifiedError      email_not_verified  (right password, unverified address)
    │   ├── InsufficientUserAuthenticationError
    │   │                              insufficient_user_authentication
    │   │                                                  (.max_age, .acr_values: RFC 9470)
    │   ├── InvalidCodeError           invalid_code        (a TOTP or recovery code refused)
    │   ├── InvalidPasskeyError        invalid_credential  (a WebAuthn response refused)
    │   └── FederationError            federation_failed   (sign-in with a provider; codes only)
    │       ├── FederationDeniedError  federation_denied   (the provider answered with an error)
    │       ├── FederationStateError   federation_state    (no, expired or another browser's state)
    │       ├── FederationTokenError   federation_token    (the provider's tokens were refused)
    │       ├── FederationEmailError   federation_no_email (the provider shared no usable address)
    │       ├── ReturnToRefusedError   return_to_refused   (return_to not on the allow-list)
    │       └── LinkRequiredError      link_required       (the address has an account: link it)
    ├── StoreError                                         (a record is missing or already taken)
    │   ├── NotFoundError              not_found           (no such user, session, key: any 404)
    │   ├── UserExistsError            user_exists
    │   ├── FactorExistsError          mfa_already_enabled (a confirmed TOTP factor is on)
    │   ├── IdentityExistsError        identity_exists     (the provider's account is linked)
    │   ├── LastSignInMethodError      last_sign_in_method (no password and one identity: keep it)
    │   └── PasskeyExistsError         passkey_exists      (the credential id is registered)
    ├── InvalidInputError              invalid_input       (a value gatepass refuses: 422)
    │   ├── InvalidEmailError          invalid_email
    │   └── WeakPasswordError          weak_password
    ├── InvalidRequestError            invalid_request     (a body the server cannot read)
    ├── UnsupportedMediaTypeError      unsupported_media_type
    ├── ConfigError                    invalid_config
    └── ServiceUnavailableError        service_unavailable (.retry_after)
        └── ProviderUnavailableError   provider_unavailable (a sign-in provider is down or broken)

Messages are fixed text written here, or built only from values gatepass
itself chose (claim names it was asked to check, limits it was configured
with). They never contain any part of a token, header, key or other input an
attacker controls, so they are safe to log and to return to clients.

A revoked access token is an ``InvalidTokenError`` like any other refused
token (``gatepass.revocation``): revocation is not a JOSE claim check, and the
answer does not tell a revoked token from a forged one.

The mapping to HTTP status codes lives in one place, ``gatepass.server.errors``.
"""

from __future__ import annotations

from gatepass.errors.auth import (
    AuthError,
    CsrfError,
    EmailNotVerifiedError,
    ForbiddenError,
    InsufficientScopeError,
    InsufficientUserAuthenticationError,
    InvalidCodeError,
    InvalidCredentialsError,
    InvalidPasskeyError,
    InvalidTokenError,
    MissingTokenError,
    RateLimitedError,
    RefreshTokenReuseError,
    RegistrationClosedError,
)
from gatepass.errors.base import GatepassError
from gatepass.errors.federation import (
    FederationDeniedError,
    FederationEmailError,
    FederationError,
    FederationStateError,
    FederationTokenError,
    LinkRequiredError,
    ReturnToRefusedError,
)
from gatepass.errors.jose import (
    AlgorithmNotAllowedError,
    BadSignatureError,
    ClaimError,
    DecryptionError,
    InvalidKeyError,
    JoseError,
    KeyNotFoundError,
    MalformedTokenError,
    MissingClaimError,
    SensitiveClaimError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenTooLargeError,
    UnsupportedHeaderError,
)
from gatepass.errors.operations import (
    ConfigError,
    ProviderUnavailableError,
    ServiceUnavailableError,
)
from gatepass.errors.request import (
    InvalidEmailError,
    InvalidInputError,
    InvalidRequestError,
    UnsupportedMediaTypeError,
    WeakPasswordError,
)
from gatepass.errors.store import (
    FactorExistsError,
    IdentityExistsError,
    LastSignInMethodError,
    NotFoundError,
    PasskeyExistsError,
    StoreError,
    UserExistsError,
)

__all__ = [
    "AlgorithmNotAllowedError",
    "AuthError",
    "BadSignatureError",
    "ClaimError",
    "ConfigError",
    "CsrfError",
    "DecryptionError",
    "EmailNotVerifiedError",
    "FactorExistsError",
    "FederationDeniedError",
    "FederationEmailError",
    "FederationError",
    "FederationStateError",
    "FederationTokenError",
    "ForbiddenError",
    "GatepassError",
    "IdentityExistsError",
    "InsufficientScopeError",
    "InsufficientUserAuthenticationError",
    "InvalidCodeError",
    "InvalidCredentialsError",
    "InvalidEmailError",
    "InvalidInputError",
    "InvalidKeyError",
    "InvalidPasskeyError",
    "InvalidRequestError",
    "InvalidTokenError",
    "JoseError",
    "KeyNotFoundError",
    "LastSignInMethodError",
    "LinkRequiredError",
    "MalformedTokenError",
    "MissingClaimError",
    "MissingTokenError",
    "NotFoundError",
    "PasskeyExistsError",
    "ProviderUnavailableError",
    "RateLimitedError",
    "RefreshTokenReuseError",
    "RegistrationClosedError",
    "ReturnToRefusedError",
    "SensitiveClaimError",
    "ServiceUnavailableError",
    "StoreError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenTooLargeError",
    "UnsupportedHeaderError",
    "UnsupportedMediaTypeError",
    "UserExistsError",
    "WeakPasswordError",
]

# The classes live in one submodule per branch, but they are still named
# gatepass.errors.X, as before the split: in tracebacks, logs and pickles.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
