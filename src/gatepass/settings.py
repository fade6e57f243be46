"""Frozen, typed settings read from ``GATEPASS_*`` environment variables.

``Settings.from_env()`` reads the process environment (or a given mapping);
``Settings(...)`` builds one directly (tests). Either way every value is
checked, and a bad one raises ``ConfigError`` naming the variable, never its
value when that value is secret. Secrets are ``Secret`` objects, redacted in
every ``repr``; the database and Redis URLs have their passwords masked.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from gatepass.errors import ConfigError
from gatepass.tokens.encryption import AccessTokenEncryption
from gatepass.tokens.keyring import DEFAULT_SIGNING_ALG, SIGNING_ALGORITHMS

__all__ = ["ENV_PREFIX", "Secret", "Settings", "check_secret_strength"]

ENV_PREFIX = "GATEPASS_"
Environment = Literal["development", "production"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# OWASP Password Storage Cheat Sheet, Argon2id minimum.
ARGON2_MIN_MEMORY_KIB = 19456
ARGON2_MIN_TIME_COST = 2
ARGON2_MIN_PARALLELISM = 1
MIN_SECRET_BYTES = 32
MIN_SECRET_ENTROPY_BITS = 128
# The request head (request line and headers): granian's HTTP/1 read buffer,
# which bounds it there, cannot be smaller than 8 KiB.
MIN_HEADER_BYTES = 8192
MAX_HEADER_BYTES = 1024 * 1024
# The level names uvicorn and the standard logging module both understand.
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


class Secret:
    """A string that keeps itself out of logs: ``repr``/``str`` are redacted."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


# Example and default secrets people paste from guides (compared lower-case,
# with everything but letters and digits removed).
_WELL_KNOWN = (
    "your256bitsecret",
    "yoursecretkey",
    "supersecretkey",
    "supersecret",
    "mysecretkey",
    "mysecret",
    "secretkey",
    "jwtsecretkey",
    "jwtsecret",
    "changethis",
    "changeme",
    "password",
    "default",
    "example",
    "secret",
    "qwerty",
    "letmein",
    "admin",
    "token",
    "test",
    "key",
    "jwt",
    "123456789",
    "abcdef",
)


def check_secret_strength(value: str, variable: str) -> None:
    """Refuse short, well-known or low-entropy secrets; the message never holds the value."""
    raw = value.encode("utf-8")
    letters = re.sub(r"[^a-z0-9]", "", value.lower())
    rest = letters
    for word in _WELL_KNOWN:
        rest = rest.replace(word, "")
    if letters and len(rest) < len(letters) // 2:
        raise ConfigError(
            f"{variable} is a well-known example secret; "
            "generate one with `gatepass secret generate`"
        )
    if len(raw) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{variable} must be at least {MIN_SECRET_BYTES} bytes; "
            "generate one with `gatepass secret generate`"
        )
    if _entropy_bits(value) < MIN_SECRET_ENTROPY_BITS or _is_sequence(value):
        raise ConfigError(
            f"{variable} looks low-entropy (too few distinct, repeated or sequential "
            "characters); use at least 32 random bytes, e.g. from `gatepass secret generate`"
        )


def _entropy_bits(value: str) -> float:
    """Shannon entropy of the character distribution times the length (an upper bound)."""
    counts = Counter(value)
    n = len(value)
    return -sum(c * math.log2(c / n) for c in counts.values())


def _is_sequence(value: str) -> bool:
    """Mostly runs like ``abcdef`` / ``987654`` / ``ababab``."""
    if len(value) < 3:
        return True
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(value)]
    plain = sum(1 for s in steps if abs(s) <= 1)
    periodic = sum(1 for a, b in zip(value, value[2:], strict=False) if a == b)
    return plain > len(steps) // 2 or periodic > len(steps) // 2


def _redact_url(url: str | None) -> str | None:
    if url is None:
        return None
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _env(name: str) -> str:
    return ENV_PREFIX + name.upper()


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    env: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./gatepass.db"
    redis_url: str | None = None
    redis_key_prefix: str = "gatepass"
    issuer: str = "http://127.0.0.1:8000"
    audience: str = "gatepass"
    auth_prefix: str = "/auth"
    access_ttl: int = 900
    refresh_ttl: int = 7 * 24 * 3600
    session_ttl: int = 30 * 24 * 3600
    refresh_grace: int = 10
    jwt_secret: Secret | None = None
    signing_alg: str = DEFAULT_SIGNING_ALG
    key_encryption_key: Secret | None = None
    key_encryption_key_file: str | None = None
    access_token_encryption_key: Secret | None = None
    registration_open: bool = True
    cookie_secure: bool = True
    console: bool = True
    api_docs: bool | None = None
    trusted_proxies: tuple[str, ...] = ()
    rate_limit_window: int = 300
    login_limit_per_account_ip: int = 10
    login_failure_window: int = 900
    login_limit_per_account: int = 100
    login_account_window: int = 3600
    login_delay_max: float = 3.0
    login_limit_per_ip: int = 20
    register_limit_per_ip: int = 10
    refresh_limit_per_ip: int = 60
    lockout_max: int = 3600
    max_body_bytes: int = 65536
    max_token_bytes: int = 8192
    max_header_bytes: int = 16384
    header_timeout: float = 5.0
    argon2_time_cost: int = ARGON2_MIN_TIME_COST
    argon2_memory_cost: int = ARGON2_MIN_MEMORY_KIB
    argon2_parallelism: int = ARGON2_MIN_PARALLELISM
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    revocation_poll: float = 0.5
    key_sync: float = 5.0
    revocation_feed_token: Secret | None = None
    _networks: tuple[Network, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _validate(self)
        networks = tuple(_network(p) for p in self.trusted_proxies)
        object.__setattr__(self, "_networks", networks)

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
            values[f.name] = _PARSERS[f.name](raw.strip(), _env(f.name))
        return cls(**values)


# --- parsing (strings from the environment -> typed values) -------------------

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_int(raw: str, variable: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", raw):
        raise ConfigError(f"{variable} must be an integer")
    return int(raw)


def _parse_duration(raw: str, variable: str) -> int:
    """Seconds: ``900``, ``15m``, ``12h``, ``7d``, ``10s``."""
    match = re.fullmatch(r"([+-]?[0-9]{1,12}) *([smhd]?)", raw.lower())
    if match is None:
        raise ConfigError(f"{variable} must be a duration in seconds, or like 15m, 12h, 7d")
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


def _parse_bool(raw: str, variable: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{variable} must be true or false")


def _parse_seconds(raw: str, variable: str) -> float:
    """Seconds as a decimal number (``0.5``, ``2``)."""
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,6})?", raw):
        raise ConfigError(f"{variable} must be a number of seconds, like 0.5 or 5")
    return float(raw)


def _parse_str(raw: str, variable: str) -> str:
    return raw


def _parse_lower(raw: str, variable: str) -> str:
    return raw.lower()


def _parse_secret(raw: str, variable: str) -> Secret:
    return Secret(raw)


def _parse_list(raw: str, variable: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


_DURATIONS = (
    "access_ttl",
    "refresh_ttl",
    "session_ttl",
    "refresh_grace",
    "rate_limit_window",
    "lockout_max",
    "login_failure_window",
    "login_account_window",
)
_BOOLS = ("registration_open", "cookie_secure", "console")
_SECRETS = ("jwt_secret", "key_encryption_key", "revocation_feed_token")
_INTS = (
    "login_limit_per_account_ip",
    "login_limit_per_account",
    "login_limit_per_ip",
    "register_limit_per_ip",
    "refresh_limit_per_ip",
    "max_body_bytes",
    "max_token_bytes",
    "max_header_bytes",
    "argon2_time_cost",
    "argon2_memory_cost",
    "argon2_parallelism",
    "port",
)
_PARSERS: dict[str, Callable[[str, str], Any]] = {
    **dict.fromkeys(_DURATIONS, _parse_duration),
    **dict.fromkeys(_BOOLS, _parse_bool),
    **dict.fromkeys(_SECRETS, _parse_secret),
    "access_token_encryption_key": _parse_secret,
    **dict.fromkeys(_INTS, _parse_int),
    "trusted_proxies": _parse_list,
    "api_docs": _parse_bool,
    "env": _parse_str,
    "database_url": _parse_str,
    "key_encryption_key_file": _parse_str,
    "redis_url": _parse_str,
    "redis_key_prefix": _parse_str,
    "signing_alg": _parse_str,
    "issuer": _parse_str,
    "audience": _parse_str,
    "auth_prefix": _parse_str,
    "host": _parse_str,
    "log_level": _parse_lower,
    "revocation_poll": _parse_seconds,
    "key_sync": _parse_seconds,
    "login_delay_max": _parse_seconds,
    "header_timeout": _parse_seconds,
}


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
    ):
        _at_least(s, name, 1)
    _at_least(s, "max_body_bytes", 1024)
    _at_least(s, "max_token_bytes", 1024)
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
    for name in _SECRETS:
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
    for name in _BOOLS:
        if not isinstance(getattr(s, name), bool):
            raise ConfigError(f"{_env(name)} must be true or false")
    if s.api_docs is not None and not isinstance(s.api_docs, bool):
        raise ConfigError("GATEPASS_API_DOCS must be true or false")
    if s.is_production and not s.cookie_secure:
        raise ConfigError("GATEPASS_COOKIE_SECURE cannot be false in production")


def _check_encryption_key(value: object) -> None:
    """A JWK the access tokens can be encrypted to (see gatepass.tokens.encryption)."""
    if not isinstance(value, Secret):
        raise ConfigError("GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY must be a Secret")
    AccessTokenEncryption.from_jwk_text(value.get())
