"""A record is missing or already taken (``StoreError``).

Part of ``gatepass.errors`` (its docstring draws the tree); import from there.
"""

from __future__ import annotations

from gatepass.errors.base import GatepassError

__all__ = [
    "FactorExistsError",
    "IdentityExistsError",
    "LastSignInMethodError",
    "NotFoundError",
    "PasskeyExistsError",
    "StoreError",
    "UserExistsError",
]


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
