"""The server's authentication errors (``AuthError``); sign-in with a provider is ``federation``.

Part of ``gatepass.errors`` (its docstring draws the tree); import from there.
"""

from __future__ import annotations

from gatepass.errors.base import GatepassError

__all__ = [
    "AuthError",
    "CsrfError",
    "EmailNotVerifiedError",
    "ForbiddenError",
    "InsufficientScopeError",
    "InsufficientUserAuthenticationError",
    "InvalidCodeError",
    "InvalidCredentialsError",
    "InvalidPasskeyError",
    "InvalidTokenError",
    "MissingTokenError",
    "RateLimitedError",
    "RefreshTokenReuseError",
    "RegistrationClosedError",
]


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


class InvalidCodeError(AuthError):
    """A second factor's code that is wrong, replayed (a TOTP code is accepted
    once) or already spent (a recovery code): one answer whatever the reason."""

    code = "invalid_code"
    default_message = "Invalid code"


class InvalidPasskeyError(AuthError):
    """A passkey's answer (a WebAuthn registration or assertion) that was refused:
    a wrong signature, origin or relying party, an unknown, spent or expired
    challenge, an unknown or other user's credential, a counter that went back
    (a possible clone): one answer whatever the reason."""

    code = "invalid_credential"
    default_message = "The passkey was not accepted"
