"""Sign-in with a configured provider failed (``FederationError``, an ``AuthError``).

Part of ``gatepass.errors`` (its docstring draws the tree); import from there.
"""

from __future__ import annotations

from gatepass.errors.auth import AuthError

__all__ = [
    "FederationDeniedError",
    "FederationEmailError",
    "FederationError",
    "FederationStateError",
    "FederationTokenError",
    "LinkRequiredError",
    "ReturnToRefusedError",
]


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
