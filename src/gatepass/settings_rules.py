"""The rules a ``gatepass.settings.Settings`` must pass, and what it derives.

``validate`` runs for ``Settings.from_env()`` and direct construction alike and
raises ``ConfigError`` naming the variable, never a secret's value;
``trusted_network`` reads one ``GATEPASS_TRUSTED_PROXIES`` entry and
``mail_config`` the mail settings into one ``MailConfig``. The settings module
holds the fields; this one what they must be.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import re
from typing import TYPE_CHECKING, cast

from gatepass.envparse import parse_bool, parser_of
from gatepass.errors import ConfigError
from gatepass.mail.config import MailConfig
from gatepass.secret import Secret, check_secret_strength
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.keyring import SIGNING_ALGORITHMS

if TYPE_CHECKING:
    from gatepass.settings import Settings

__all__ = [
    "ARGON2_MIN_MEMORY_KIB",
    "ARGON2_MIN_PARALLELISM",
    "ARGON2_MIN_TIME_COST",
    "ENV_PREFIX",
    "LOG_LEVELS",
    "MAX_HEADER_BYTES",
    "MIN_HEADER_BYTES",
    "Network",
    "env_name",
    "mail_config",
    "trusted_network",
    "validate",
]

ENV_PREFIX = "GATEPASS_"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# OWASP Password Storage Cheat Sheet, Argon2id minimum.
ARGON2_MIN_MEMORY_KIB = 19456
ARGON2_MIN_TIME_COST = 2
ARGON2_MIN_PARALLELISM = 1
# The request head (request line and headers): granian's HTTP/1 read buffer,
# which bounds it there, cannot be smaller than 8 KiB.
MIN_HEADER_BYTES = 8192
MAX_HEADER_BYTES = 1024 * 1024
# The level names uvicorn and the standard logging module both understand.
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def env_name(name: str) -> str:
    """The variable a field is read from: ``access_ttl`` -> ``GATEPASS_ACCESS_TTL``."""
    return ENV_PREFIX + name.upper()


def trusted_network(value: str) -> Network:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ConfigError(
            "GATEPASS_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDRs"
        ) from None


def _at_least(s: Settings, name: str, minimum: int) -> None:
    value = getattr(s, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{env_name(name)} must be an integer")
    if value < minimum:
        raise ConfigError(f"{env_name(name)} must be at least {minimum}")


def validate(s: Settings) -> None:
    if s.env not in ("development", "production"):
        raise ConfigError("GATEPASS_ENV must be 'development' or 'production'")
    scheme_ok = re.match(r"(sqlite|postgres|postgresql)(\+[a-z0-9]+)?://", s.database_url)
    if not scheme_ok and s.database_url != "memory://":
        raise ConfigError("GATEPASS_DATABASE_URL must start with sqlite:// or postgresql://")
    if s.redis_url is not None and not re.match(r"(rediss?|unix)://", s.redis_url):
        raise ConfigError("GATEPASS_REDIS_URL must start with redis://, rediss:// or unix://")
    if not re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", s.redis_key_prefix):
        raise ConfigError(
            "GATEPASS_REDIS_KEY_PREFIX must be 1-64 letters, digits, '.', '_', ':' or '-'"
        )
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", s.issuer):
        raise ConfigError("GATEPASS_ISSUER must be an http(s) URL without query or fragment")
    if s.signing_alg not in SIGNING_ALGORITHMS:
        raise ConfigError(f"GATEPASS_SIGNING_ALG must be one of: {', '.join(SIGNING_ALGORITHMS)}")
    if not s.audience or any(c.isspace() for c in s.audience):
        raise ConfigError("GATEPASS_AUDIENCE must be a non-empty string without spaces")
    if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", s.auth_prefix):
        raise ConfigError("GATEPASS_AUTH_PREFIX must be a path like /auth (no trailing slash)")
    for name in ("access_ttl", "refresh_ttl", "session_ttl", "rate_limit_window", "lockout_max"):
        _at_least(s, name, 1)
    for name in ("login_failure_window", "login_account_window"):
        _at_least(s, name, 1)
    _at_least(s, "refresh_grace", 0)
    _at_least(s, "reauth_max_age", 0)
    if s.refresh_grace >= s.refresh_ttl:
        raise ConfigError("GATEPASS_REFRESH_GRACE must be shorter than GATEPASS_REFRESH_TTL")
    for name in (
        "login_limit_per_account_ip",
        "login_limit_per_account",
        "login_limit_per_ip",
        "register_limit_per_ip",
        "refresh_limit_per_ip",
        "mail_limit_per_ip",
        "mail_limit_per_address",
        "link_limit_per_ip",
    ):
        _at_least(s, name, 1)
    _at_least(s, "database_pool_size", 1)
    _at_least(s, "max_body_bytes", 1024)
    _at_least(s, "max_token_bytes", 1024)
    _at_least(s, "token_cache_bytes", 0)
    _at_least(s, "max_header_bytes", MIN_HEADER_BYTES)
    if s.max_header_bytes > MAX_HEADER_BYTES:
        raise ConfigError(f"GATEPASS_MAX_HEADER_BYTES must be at most {MAX_HEADER_BYTES}")
    _at_least(s, "argon2_time_cost", ARGON2_MIN_TIME_COST)
    _at_least(s, "argon2_memory_cost", ARGON2_MIN_MEMORY_KIB)
    _at_least(s, "argon2_parallelism", ARGON2_MIN_PARALLELISM)
    _at_least(s, "port", 1)
    if s.port > 65535:
        raise ConfigError("GATEPASS_PORT must be at most 65535")
    if not s.host or any(c.isspace() for c in s.host):
        raise ConfigError("GATEPASS_HOST must be a host name or IP address")
    for name in ("revocation_poll", "key_sync", "header_timeout"):
        value = getattr(s, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{env_name(name)} must be a number of seconds")
        if not 0 < value <= 3600 or not math.isfinite(value):
            raise ConfigError(f"{env_name(name)} must be more than 0 and at most 3600 seconds")
    delay = s.login_delay_max
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 10:
        raise ConfigError("GATEPASS_LOGIN_DELAY_MAX must be a number of seconds from 0 to 10")
    if s.log_level not in LOG_LEVELS:
        raise ConfigError(f"GATEPASS_LOG_LEVEL must be one of: {', '.join(LOG_LEVELS)}")
    if not isinstance(s.trusted_proxies, tuple):
        raise ConfigError("GATEPASS_TRUSTED_PROXIES must be a tuple of IPs or CIDRs")
    for name in ("jwt_secret", "key_encryption_key", "revocation_feed_token"):
        secret = cast(Secret | None, getattr(s, name))
        if secret is None:
            continue
        if not isinstance(secret, Secret):
            raise ConfigError(f"{env_name(name)} must be a Secret")
        check_secret_strength(secret.get(), env_name(name))
    if s.access_token_encryption_key is not None:
        _check_encryption_key(s.access_token_encryption_key)
    if s.key_encryption_key_file is not None and not isinstance(s.key_encryption_key_file, str):
        raise ConfigError("GATEPASS_KEY_ENCRYPTION_KEY_FILE must be a file path")
    for f in dataclasses.fields(s):
        if not f.init or parser_of(f) is not parse_bool:
            continue
        flag = getattr(s, f.name)
        unset = flag is None and f.default is None  # None: "by GATEPASS_ENV" (api_docs, ...)
        if not isinstance(flag, bool) and not unset:
            raise ConfigError(f"{env_name(f.name)} must be true or false")
    if s.is_production and not s.cookie_secure:
        raise ConfigError("GATEPASS_COOKIE_SECURE cannot be false in production")


def mail_config(s: Settings) -> MailConfig:
    for name in ("mail_from", "app_url", "mail"):
        value = getattr(s, name)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{env_name(name)} must be a string")
    if s.smtp_url is not None and not isinstance(s.smtp_url, Secret):
        raise ConfigError("GATEPASS_SMTP_URL must be a Secret")
    return MailConfig.from_values(
        smtp_url=None if s.smtp_url is None else s.smtp_url.get(),
        mail_from=s.mail_from,
        # The console serves a page for each link at the server's root
        # (``server.console.ACCOUNT_PAGES``), and the issuer is the server's origin.
        app_url=s.app_url or s.issuer.rstrip("/"),
        mail=s.mail,
    )


def _check_encryption_key(value: object) -> None:
    """A JWK the access tokens can be encrypted to (see gatepass.tokens.encryption)."""
    if not isinstance(value, Secret):
        raise ConfigError("GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY must be a Secret")
    AccessTokenEncryption.from_jwk_text(value.get())
