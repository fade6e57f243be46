"""A request gatepass refuses: a value it does not allow, a body it cannot read.

Part of ``gatepass.errors`` (its docstring draws the tree); import from there.
"""

from __future__ import annotations

from gatepass.errors.base import GatepassError

__all__ = [
    "InvalidEmailError",
    "InvalidInputError",
    "InvalidRequestError",
    "UnsupportedMediaTypeError",
    "WeakPasswordError",
]


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


class InvalidRequestError(GatepassError):
    code = "invalid_request"
    default_message = "The request is invalid"


class UnsupportedMediaTypeError(GatepassError):
    code = "unsupported_media_type"
    default_message = "The request body must be application/json"
