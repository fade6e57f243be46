"""An Authenticator from ``GATEPASS_*`` environment variables (for the examples and small apps).

| Variable | Meaning |
|---|---|
| ``GATEPASS_ISSUER`` | the auth server's issuer (required) |
| ``GATEPASS_AUDIENCE`` | the tokens' audience (default ``gatepass``) |
| ``GATEPASS_JWKS_URL`` | where the public keys are (or:) |
| ``GATEPASS_JWT_SECRET`` | the shared HS256 secret, as on the auth server |
| ``GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY`` | the JWK that decrypts nested access tokens |
| ``GATEPASS_AUTH_URL`` + ``GATEPASS_REVOCATION_FEED_TOKEN`` | the revocation feed |
| ``GATEPASS_AUTH_PREFIX`` | where the auth routes live (default ``/auth``) |
| ``GATEPASS_REDIS_URL`` | revocations pushed on ``<prefix>:revocations`` |
| ``GATEPASS_REDIS_KEY_PREFIX`` | the auth server's prefix (default ``gatepass``) |
| ``GATEPASS_ALLOW_HTTP_LOOPBACK`` | ``true`` lets the JWKS and feed URLs be http on loopback |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from gatepass.errors import ConfigError
from gatepass.protect.authenticator import Authenticator
from gatepass.protect.jwks import JWKSClient
from gatepass.revocation.protect_sync import RevocationSync
from gatepass.revocation.wire import channel_for

__all__ = ["authenticator_from_env"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def authenticator_from_env(env: Mapping[str, str] | None = None) -> Authenticator:
    """The Authenticator these variables describe; ConfigError names what is wrong."""
    env = os.environ if env is None else env
    issuer = _get(env, "GATEPASS_ISSUER")
    if issuer is None:
        raise ConfigError("GATEPASS_ISSUER is required")
    loopback = env.get("GATEPASS_ALLOW_HTTP_LOOPBACK", "").strip().lower()
    if loopback not in _TRUE | _FALSE:
        raise ConfigError("GATEPASS_ALLOW_HTTP_LOOPBACK must be true or false")
    allow = loopback in _TRUE
    jwks_url, secret = _get(env, "GATEPASS_JWKS_URL"), _get(env, "GATEPASS_JWT_SECRET")
    if (jwks_url is None) == (secret is None):
        raise ConfigError("Set exactly one of GATEPASS_JWKS_URL and GATEPASS_JWT_SECRET")
    auth_url, redis_url = _get(env, "GATEPASS_AUTH_URL"), _get(env, "GATEPASS_REDIS_URL")
    revocations = None
    if auth_url is not None or redis_url is not None:
        revocations = RevocationSync(
            auth_url=auth_url,
            feed_token=_get(env, "GATEPASS_REVOCATION_FEED_TOKEN"),
            auth_prefix=_get(env, "GATEPASS_AUTH_PREFIX") or "/auth",
            redis_url=redis_url,
            channel=channel_for(_redis_prefix(env)),
            allow_insecure_loopback=allow,
        )
    return Authenticator(
        issuer=issuer,
        audience=_get(env, "GATEPASS_AUDIENCE") or "gatepass",
        jwks_client=None
        if jwks_url is None
        else JWKSClient(jwks_url, allow_insecure_loopback=allow),
        secret=secret,
        decryption_key=_get(env, "GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY"),
        revocations=revocations,
    )


def _redis_prefix(env: Mapping[str, str]) -> str:
    prefix = _get(env, "GATEPASS_REDIS_KEY_PREFIX") or "gatepass"
    if not re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", prefix):
        raise ConfigError(
            "GATEPASS_REDIS_KEY_PREFIX must be 1-64 letters, digits, '.', '_', ':' or '-'"
        )
    return prefix
