"""The configuration is invalid, or a dependency or provider is down.

Part of ``gatepass.errors`` (its docstring draws the tree); import from there.
"""

from __future__ import annotations

from gatepass.errors.base import GatepassError

__all__ = ["ConfigError", "ProviderUnavailableError", "ServiceUnavailableError"]


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
