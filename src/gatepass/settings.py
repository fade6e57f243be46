"""Frozen, typed settings read from ``GATEPASS_*`` environment variables.

``Settings.from_env()`` reads the process environment (or a given mapping);
``Settings(...)`` builds one directly (tests). Either way every value is
checked, and a bad one raises ``ConfigError`` naming the variable, never its
value when that value is secret. Each field names the parser that reads its
variable (``setting(default, parser)``, parsers in :mod:`gatepass.envparse`).
Secrets are :class:`gatepass.secret.Secret` objects, redacted in every
``repr``, and pass :func:`gatepass.secret.check_secret_strength`; the database
and Redis URLs have their passwords masked, and ``GATEPASS_SMTP_URL`` is a
``Secret`` as a whole. The mail settings are read into one
:class:`gatepass.mail.config.MailConfig` (``Settings.mail_config``) at
construction, so a bad SMTP URL is refused at start.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from gatepass.envparse import (
    parse_bool,
    parse_duration,
    parse_int,
    parse_list,
    parse_lower,
    parse_seconds,
    parse_secret,
    parse_str,
    parser_of,
    setting,
)
from gatepass.errors import ConfigError
from gatepass.mail.config import MailConfig
from gatepass.secret import Secret, check_secret_strength
from gatepass.tokencache import DEFAULT_MAX_BYTES
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.keyring import DEFAULT_SIGNING_ALG, SIGNING_ALGORITHMS

# Secret and check_secret_strength live in gatepass.secret; named here too because
# Settings' fields are typed with the one and checked with the other.
__all__ = ["ENV_PREFIX", "Secret", "Settings", "check_secret_strength"]

ENV_PREFIX = "GATEPASS_"
Environment = Literal["development", "production"]
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


def _parse_environment(raw: str, variable: str) -> Environment:
    return cast(Environment, raw)  # _validate names the two it may be


def _redact_url(url: str | None) -> str | None:
    if url is None:
        return None
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _env(name: str) -> str:
    return ENV_PREFIX + name.upper()


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    env: Environment = setting("development", _parse_environment)
    database_url: str = setting("sqlite+aiosqlite:///./gatepass.db", parse_str)
    database_pool_size: int = setting(10, parse_int)
    redis_url: str | None = setting(None, parse_str)
    redis_key_prefix: str = setting("gatepass", parse_str)
    issuer: str = setting("http://127.0.0.1:8000", parse_str)
    audience: str = setting("gatepass", parse_str)
    auth_prefix: str = setting("/auth", parse_str)
    access_ttl: int = setting(900, parse_duration)
    refresh_ttl: int = setting(7 * 24 * 3600, parse_duration)
    session_ttl: int = setting(30 * 24 * 3600, parse_duration)
    refresh_grace: int = setting(10, parse_duration)
    jwt_secret: Secret | None = setting(None, parse_secret)
    signing_alg: str = setting(DEFAULT_SIGNING_ALG, parse_str)
    key_encryption_key: Secret | None = setting(None, parse_secret)
    key_encryption_key_file: str | None = setting(None, parse_str)
    access_token_encryption_key: Secret | None = setting(None, parse_secret)
    registration_open: bool = setting(True, parse_bool)
    cookie_secure: bool = setting(True, parse_bool)
    console: bool = setting(True, parse_bool)
    api_docs: bool | None = setting(None, parse_bool)
    trusted_proxies: tuple[str, ...] = setting((), parse_list)
    rate_limit_window: int = setting(300, parse_duration)
    login_limit_per_account_ip: int = setting(10, parse_int)
    login_failure_window: int = setting(900, parse_duration)
    login_limit_per_account: int = setting(100, parse_int)
    login_account_window: int = setting(3600, parse_duration)
    login_delay_max: float = setting(3.0, parse_seconds)
    login_limit_per_ip: int = setting(20, parse_int)
    register_limit_per_ip: int = setting(10, parse_int)
    refresh_limit_per_ip: int = setting(60, parse_int)
    mail_limit_per_ip: int = setting(10, parse_int)
    mail_limit_per_address: int = setting(3, parse_int)
    link_limit_per_ip: int = setting(30, parse_int)
    lockout_max: int = setting(3600, parse_duration)
    max_body_bytes: int = setting(65536, parse_int)
    max_token_bytes: int = setting(8192, parse_int)
    token_cache_bytes: int = setting(DEFAULT_MAX_BYTES, parse_int)
    max_header_bytes: int = setting(16384, parse_int)
    header_timeout: float = setting(5.0, parse_seconds)
    argon2_time_cost: int = setting(ARGON2_MIN_TIME_COST, parse_int)
    argon2_memory_cost: int = setting(ARGON2_MIN_MEMORY_KIB, parse_int)
    argon2_parallelism: int = setting(ARGON2_MIN_PARALLELISM, parse_int)
    host: str = setting("127.0.0.1", parse_str)
    port: int = setting(8000, parse_int)
    log_level: str = setting("info", parse_lower)
    revocation_poll: float = setting(0.5, parse_seconds)
    key_sync: float = setting(5.0, parse_seconds)
    revocation_feed_token: Secret | None = setting(None, parse_secret)
    smtp_url: Secret | None = setting(None, parse_secret)
    mail_from: str | None = setting(None, parse_str)
    app_url: str | None = setting(None, parse_str)
    mail: str | None = setting(None, parse_lower)
    require_verified_email: bool | None = setting(None, parse_bool)
    _networks: tuple[Network, ...] = field(default=(), init=False, repr=False, compare=False)
    _mail: MailConfig = field(default=MailConfig("log"), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _validate(self)
        networks = tuple(_network(p) for p in self.trusted_proxies)
        object.__setattr__(self, "_networks", networks)
        object.__setattr__(self, "_mail", _mail_config(self))

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        return self._networks

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def api_docs_enabled(self) -> bool:
        """``GATEPASS_API_DOCS`` if set, else on in development and off in production."""
        return not self.is_production if self.api_docs is None else self.api_docs

    @property
    def verified_email_required(self) -> bool:
        """``GATEPASS_REQUIRE_VERIFIED_EMAIL`` if set, else on in production, off in development."""
        if self.require_verified_email is None:
            return self.is_production
        return self.require_verified_email

    @property
    def mail_config(self) -> MailConfig:
        """Where mail goes and where its links point (checked when the settings were
        made): under ``GATEPASS_APP_URL``, else the issuer, where the console serves
        a page for each link."""
        return self._mail

    def __repr__(self) -> str:
        shown = []
        for f in dataclasses.fields(self):
            if not f.repr:
                continue
            value = getattr(self, f.name)
            if f.name in ("database_url", "redis_url"):
                value = _redact_url(value)
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``GATEPASS_<FIELD>`` for every field; unset or empty -> the default."""
        if environ is None:
            import os

            environ = os.environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            raw = environ.get(_env(f.name))
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = parser_of(f)(raw.strip(), _env(f.name))
        return cls(**values)


# --- validation (runs for from_env and direct construction alike) -----------


def _network(value: str) -> Network:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ConfigError(
            "GATEPASS_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDRs"
        ) from None


def _at_least(s: Settings, name: str, minimum: int) -> None:
    value = getattr(s, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{_env(name)} must be an integer")
    if value < minimum:
        raise ConfigError(f"{_env(name)} must be at least {minimum}")


def _validate(s: Settings) -> None:
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
            raise ConfigError(f"{_env(name)} must be a number of seconds")
        if not 0 < value <= 3600 or not math.isfinite(value):
            raise ConfigError(f"{_env(name)} must be more than 0 and at most 3600 seconds")
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
            raise ConfigError(f"{_env(name)} must be a Secret")
        check_secret_strength(secret.get(), _env(name))
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
            raise ConfigError(f"{_env(f.name)} must be true or false")
    if s.is_production and not s.cookie_secure:
        raise ConfigError("GATEPASS_COOKIE_SECURE cannot be false in production")


def _mail_config(s: Settings) -> MailConfig:
    for name in ("mail_from", "app_url", "mail"):
        value = getattr(s, name)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{_env(name)} must be a string")
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
