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


class GatepassError(Exception):
    """Base of every gatepass error. ``code`` is stable; ``message`` is safe to show."""

    code: str = "error"
    default_message: str = "gatepass error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


# --- JOSE -------------------------------------------------------------------


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


# --- Server / auth ----------------------------------------------------------


class AuthError(GatepassError):
    code = "auth_error"
    default_message = "Authentication failed"


class MissingTokenError(AuthError):
    code = "missing_token"
    default_message = "No token provided"


class InvalidTokenError(AuthError):
    """A refused token. ``mailed``: a one-time token from a mail (verify, reset,
    confirm) that is unknown, used, expired, for another purpose or user, or
    outlived a password change: the same answer whatever the reason, 400 rather
    than a refused credential's 401 (nothing to refresh or sign in with)."""

    code = "invalid_token"
    default_message = "Invalid or expired token"

    def __init__(self, message: str | None = None, *, mailed: bool = False) -> None:
        self.mailed = mailed
        super().__init__(message)


class InvalidCredentialsError(AuthError):
    code = "invalid_credentials"
    default_message = "Invalid credentials"


class ForbiddenError(AuthError):
    code = "forbidden"
    default_message = "You do not have access to this resource"


class InsufficientScopeError(ForbiddenError):
    """The token is valid but lacks a required role or scope (RFC 6750 §3.1)."""

    code = "insufficient_scope"
    default_message = "The token does not grant access to this resource"


class CsrfError(AuthError):
    code = "csrf_failed"
    default_message = "Missing or invalid CSRF token"


class RateLimitedError(AuthError):
    code = "rate_limited"
    default_message = "Too many attempts, try again later"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)


class RefreshTokenReuseError(AuthError):
    code = "refresh_token_reused"
    default_message = "Refresh token reuse detected; the session has been revoked"


class RegistrationClosedError(AuthError):
    code = "registration_closed"
    default_message = "Registration is closed"


class EmailNotVerifiedError(AuthError):
    """The password was right, but ``GATEPASS_REQUIRE_VERIFIED_EMAIL`` asks for a
    verified address first (only ever raised after the password matched)."""

    code = "email_not_verified"
    default_message = "Confirm your email address first: we sent you a link"


class InsufficientUserAuthenticationError(AuthError):
    """The token is valid but its login is not strong or recent enough (RFC 9470).

    ``max_age``: the route's limit on the login's age in seconds, when that is
    what failed; ``acr_values``: the ``acr`` classes it accepts, when that is.
    Both are the route's own configuration, never the request's, so the
    challenge that repeats them (``gatepass.stepup.challenge``) is safe.
    """

    code = "insufficient_user_authentication"
    default_message = "A stronger or more recent login is required"

    def __init__(
        self,
        message: str | None = None,
        *,
        max_age: int | None = None,
        acr_values: tuple[str, ...] = (),
    ) -> None:
        self.max_age = max_age
        self.acr_values = acr_values
        super().__init__(message)


# --- Store ------------------------------------------------------------------


class InvalidCodeError(AuthError):
    """A second factor's code that is wrong, replayed (a TOTP code is accepted
    once) or already spent (a recovery code): one answer whatever the reason."""

    code = "invalid_code"
    default_message = "Invalid code"


class FederationError(AuthError):
    """A sign-in with a configured provider failed. The messages are fixed text:
    nothing the provider or the browser sent is ever echoed."""

    code = "federation_failed"
    default_message = "Signing in with the provider failed"


class FederationDeniedError(FederationError):
    code = "federation_denied"
    default_message = "The provider did not let you sign in (consent refused or an error)"


class FederationStateError(FederationError):
    code = "federation_state"
    default_message = "The sign-in expired or was started in another browser; start again"


class FederationTokenError(FederationError):
    code = "federation_token"
    default_message = "The provider's answer could not be verified"


class FederationEmailError(FederationError):
    code = "federation_no_email"
    default_message = "The provider did not share an email address"


class ReturnToRefusedError(FederationError):
    code = "return_to_refused"
    default_message = "The page to return to is not allowed"


class LinkRequiredError(FederationError):
    """The provider's address belongs to an account the sign-in may not take over
    (the provider or gatepass has not verified it): sign in to it, then link."""

    code = "link_required"
    default_message = "An account with this address exists: sign in to it, then link the provider"


class InvalidPasskeyError(AuthError):
    """A passkey's answer (a WebAuthn registration or assertion) that was refused:
    a wrong signature, origin or relying party, an unknown, spent or expired
    challenge, an unknown or other user's credential, a counter that went back
    (a possible clone): one answer whatever the reason."""

    code = "invalid_credential"
    default_message = "The passkey was not accepted"


class StoreError(GatepassError):
    """A record is missing or already taken; nothing was changed."""

    code = "store_error"
    default_message = "The request conflicts with what is stored"


class NotFoundError(StoreError):
    """The record named does not exist (the store's, admin's and the routes' 404)."""

    code = "not_found"
    default_message = "Not found"


class UserExistsError(StoreError):
    code = "user_exists"
    default_message = "A user with this email already exists"


# --- Input ------------------------------------------------------------------


class FactorExistsError(StoreError):
    """Setting up TOTP for a user who has it on already (turn it off first)."""

    code = "mfa_already_enabled"
    default_message = "Two-step login is already on"


class IdentityExistsError(StoreError):
    code = "identity_exists"
    default_message = "This provider account is linked already"


class LastSignInMethodError(StoreError):
    """Unlinking the only identity of a user with no password would lock them out."""

    code = "last_sign_in_method"
    default_message = "This is your only way to sign in: set a password first"


class PasskeyExistsError(StoreError):
    """Registering a credential id that is registered already."""

    code = "passkey_exists"
    default_message = "This passkey is registered already"


class InvalidInputError(GatepassError):
    """A value the client chose was refused; the message says why, never what it was."""

    code = "invalid_input"
    default_message = "The request holds a value that is not allowed"


class InvalidEmailError(InvalidInputError):
    code = "invalid_email"
    default_message = "The email is not a valid email address"


class WeakPasswordError(InvalidInputError):
    code = "weak_password"
    default_message = "The password is too easy to guess"


# --- Requests ---------------------------------------------------------------


class InvalidRequestError(GatepassError):
    code = "invalid_request"
    default_message = "The request is invalid"


class UnsupportedMediaTypeError(GatepassError):
    code = "unsupported_media_type"
    default_message = "The request body must be application/json"


# --- Operations -------------------------------------------------------------


class ConfigError(GatepassError):
    code = "invalid_config"
    default_message = "The configuration is invalid"


class ServiceUnavailableError(GatepassError):
    """A dependency (the database, the signing keys) is down; nothing was changed.

    ``retry_after`` is the wait in seconds a client is told (``Retry-After``).
    """

    code = "service_unavailable"
    default_message = "The service is temporarily unavailable, try again shortly"
    default_retry_after = 2

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        wait = self.default_retry_after if retry_after is None else retry_after
        self.retry_after = max(1, int(wait))
        super().__init__(message)


class ProviderUnavailableError(ServiceUnavailableError):
    """A sign-in provider did not answer, timed out or answered garbage."""

    code = "provider_unavailable"
    default_message = "The sign-in provider is unavailable, try again shortly"
