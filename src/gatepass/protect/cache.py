"""The verified-token cache (shared with the auth server: ``gatepass.tokencache``)."""

from gatepass.tokencache import VerifiedTokenCache

__all__ = ["VerifiedTokenCache"]
