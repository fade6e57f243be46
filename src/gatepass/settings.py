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
construction, so a bad SMTP URL is refused at start. The checks and the
derived values live in :mod:`gatepass.settings_rules`.
"""

from __future__ import annotations

import dataclasses
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
from gatepass.mail.config import MailConfig
from gatepass.providers import Provider, all_providers, parse_providers
from gatepass.secret import Secret, check_secret_strength
from gatepass.settings_rules import (
    ARGON2_MIN_MEMORY_KIB,
    ARGON2_MIN_PARALLELISM,
    ARGON2_MIN_TIME_COST,
    ENV_PREFIX,
    Network,
    env_name,
    mail_config,
    trusted_network,
    validate,
)
from gatepass.tokencache import DEFAULT_MAX_BYTES
from gatepass.tokens.keyring import DEFAULT_SIGNING_ALG
from gatepass.tokens.passkey import RelyingParty, relying_party

# Secret and check_secret_strength live in gatepass.secret; named here too because
# Settings' fields are typed with the one and checked with the other.
__all__ = ["ENV_PREFIX", "Secret", "Settings", "check_secret_strength"]

Environment = Literal["development", "production"]


def _parse_environment(raw: str, variable: str) -> Environment:
    return cast(Environment, raw)  # validate names the two it may be


def _redact_url(url: str | None) -> str | None:
    if url is None:
        return None
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


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
    reauth_max_age: int = setting(600, parse_duration)
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
    oidc_providers: tuple[Provider, ...] = setting((), parse_providers)
    oidc_providers_file: str | None = setting(None, parse_str)
    oidc_return_origins: tuple[str, ...] = setting((), parse_list)
    webauthn_rp_id: str | None = setting(None, parse_lower)
    webauthn_rp_name: str = setting("gatepass", parse_str)
    webauthn_origins: tuple[str, ...] = setting((), parse_list)
    _networks: tuple[Network, ...] = field(default=(), init=False, repr=False, compare=False)
    _mail: MailConfig = field(default=MailConfig("log"), init=False, repr=False, compare=False)
    _providers: tuple[Provider, ...] = field(default=(), init=False, repr=False, compare=False)
    _rp: RelyingParty = field(
        default=RelyingParty("", "", ()), init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        validate(self)
        networks = tuple(trusted_network(p) for p in self.trusted_proxies)
        object.__setattr__(self, "_networks", networks)
        object.__setattr__(self, "_mail", mail_config(self))
        object.__setattr__(
            self,
            "_providers",
            all_providers(self.oidc_providers, self.oidc_providers_file, self.oidc_return_origins),
        )
        rp = relying_party(
            rp_id=self.webauthn_rp_id,
            rp_name=self.webauthn_rp_name,
            origins=self.webauthn_origins,
            issuer=self.issuer,
            app_url=self.app_url,
        )
        object.__setattr__(self, "_rp", rp)

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
    def providers(self) -> tuple[Provider, ...]:
        """The sign-in providers: ``GATEPASS_OIDC_PROVIDERS``, then the file's."""
        return self._providers

    @property
    def mail_config(self) -> MailConfig:
        """Where mail goes and where its links point (checked when the settings were
        made): under ``GATEPASS_APP_URL``, else the issuer, where the console serves
        a page for each link."""
        return self._mail

    @property
    def relying_party(self) -> RelyingParty:
        """The WebAuthn relying party: ``GATEPASS_WEBAUTHN_RP_ID`` (default the issuer's
        host), ``_RP_NAME`` and ``_ORIGINS`` (default the issuer's origin and the app
        URL's), checked when the settings were made."""
        return self._rp

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
            raw = environ.get(env_name(f.name))
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = parser_of(f)(raw.strip(), env_name(f.name))
        return cls(**values)
