"""Settings: parsing GATEPASS_* variables, validation, and keeping secrets out of reprs."""

from __future__ import annotations

import dataclasses
import ipaddress
import secrets

import orjson
import pytest

from gatepass.envparse import parser_of
from gatepass.errors import ConfigError
from gatepass.jose.jwe import generate_key
from gatepass.secret import Secret
from gatepass.settings import Settings

STRONG = secrets.token_urlsafe(32)


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s == Settings()
    assert (s.env, s.database_url, s.redis_url) == (
        "development",
        "sqlite+aiosqlite:///./gatepass.db",
        None,
    )
    assert (s.issuer, s.audience, s.auth_prefix) == ("http://127.0.0.1:8000", "gatepass", "/auth")
    assert (s.access_ttl, s.refresh_ttl, s.session_ttl, s.refresh_grace) == (
        900,
        7 * 86400,
        30 * 86400,
        10,
    )
    assert s.reauth_max_age == 600
    assert (s.jwt_secret, s.key_encryption_key, s.key_encryption_key_file) == (None, None, None)
    assert (s.registration_open, s.cookie_secure, s.trusted_proxies) == (True, True, ())
    assert s.console
    assert (s.max_body_bytes, s.max_token_bytes) == (65536, 8192)
    assert s.token_cache_bytes == 32 * 1024 * 1024
    assert s.database_pool_size == 10
    assert (s.argon2_time_cost, s.argon2_memory_cost, s.argon2_parallelism) == (2, 19456, 1)
    assert (s.host, s.port, s.log_level) == ("127.0.0.1", 8000, "info")
    assert not s.is_production


def test_reads_every_kind_of_variable() -> None:
    kek = secrets.token_urlsafe(32)
    s = Settings.from_env(
        {
            "GATEPASS_ENV": "production",
            "GATEPASS_DATABASE_URL": "postgresql://gp@db/gatepass",
            "GATEPASS_DATABASE_POOL_SIZE": "25",
            "GATEPASS_REDIS_URL": "redis://cache:6379/0",
            "GATEPASS_ISSUER": "https://auth.example.com",
            "GATEPASS_AUDIENCE": "api",
            "GATEPASS_AUTH_PREFIX": "/api/auth",
            "GATEPASS_ACCESS_TTL": "5m",
            "GATEPASS_REFRESH_TTL": "2d",
            "GATEPASS_SESSION_TTL": "12h",
            "GATEPASS_REFRESH_GRACE": "0",
            "GATEPASS_REAUTH_MAX_AGE": "2m",
            "GATEPASS_JWT_SECRET": STRONG,
            "GATEPASS_KEY_ENCRYPTION_KEY": kek,
            "GATEPASS_KEY_ENCRYPTION_KEY_FILE": "/run/secrets/gatepass-kek",
            "GATEPASS_REGISTRATION_OPEN": "false",
            "GATEPASS_COOKIE_SECURE": "YES",
            "GATEPASS_CONSOLE": "off",
            "GATEPASS_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,::1",
            "GATEPASS_LOGIN_LIMIT_PER_ACCOUNT": "3",
            "GATEPASS_LOGIN_LIMIT_PER_IP": "30",
            "GATEPASS_REGISTER_LIMIT_PER_IP": "4",
            "GATEPASS_REFRESH_LIMIT_PER_IP": "100",
            "GATEPASS_RATE_LIMIT_WINDOW": "60s",
            "GATEPASS_LOCKOUT_MAX": "1h",
            "GATEPASS_MAX_BODY_BYTES": "4096",
            "GATEPASS_MAX_TOKEN_BYTES": "2048",
            "GATEPASS_ARGON2_TIME_COST": "3",
            "GATEPASS_ARGON2_MEMORY_COST": "65536",
            "GATEPASS_ARGON2_PARALLELISM": "4",
            "GATEPASS_HOST": "0.0.0.0",
            "GATEPASS_PORT": "9000",
            "GATEPASS_LOG_LEVEL": "DEBUG",
            "GATEPASS_NOT_A_SETTING": "ignored",
            "UNRELATED": "ignored",
        }
    )
    assert s.is_production
    assert (s.database_url, s.redis_url) == ("postgresql://gp@db/gatepass", "redis://cache:6379/0")
    assert s.database_pool_size == 25
    assert (s.issuer, s.audience, s.auth_prefix) == ("https://auth.example.com", "api", "/api/auth")
    assert (s.access_ttl, s.refresh_ttl, s.session_ttl, s.refresh_grace) == (
        300,
        172800,
        43200,
        0,
    )
    assert s.reauth_max_age == 120
    assert s.jwt_secret is not None
    assert s.jwt_secret.get() == STRONG
    assert s.key_encryption_key == Secret(kek)
    assert s.key_encryption_key_file == "/run/secrets/gatepass-kek"
    assert (s.registration_open, s.cookie_secure) == (False, True)
    assert not s.console
    assert s.trusted_proxies == ("10.0.0.1", "192.168.0.0/16", "::1")
    assert ipaddress.ip_address("192.168.4.5") in s.trusted_networks[1]
    assert (
        s.login_limit_per_account,
        s.login_limit_per_ip,
        s.register_limit_per_ip,
        s.refresh_limit_per_ip,
        s.rate_limit_window,
        s.lockout_max,
    ) == (3, 30, 4, 100, 60, 3600)
    assert (s.max_body_bytes, s.max_token_bytes) == (4096, 2048)
    assert (s.argon2_time_cost, s.argon2_memory_cost, s.argon2_parallelism) == (3, 65536, 4)
    assert (s.host, s.port, s.log_level) == ("0.0.0.0", 9000, "debug")


def test_empty_variables_mean_default() -> None:
    assert Settings.from_env({"GATEPASS_PORT": "", "GATEPASS_JWT_SECRET": "  "}) == Settings()


def test_redis_key_prefix() -> None:
    assert Settings().redis_key_prefix == "gatepass"
    env = {"GATEPASS_REDIS_KEY_PREFIX": "prod-eu:gatepass"}
    assert Settings.from_env(env).redis_key_prefix == "prod-eu:gatepass"


def test_login_lockout_settings() -> None:
    s = Settings()
    assert (s.login_limit_per_account_ip, s.login_failure_window) == (10, 900)
    assert (s.login_limit_per_account, s.login_account_window) == (100, 3600)
    assert s.login_delay_max == 3.0
    s = Settings.from_env(
        {
            "GATEPASS_LOGIN_LIMIT_PER_ACCOUNT_IP": "5",
            "GATEPASS_LOGIN_FAILURE_WINDOW": "10m",
            "GATEPASS_LOGIN_LIMIT_PER_ACCOUNT": "50",
            "GATEPASS_LOGIN_ACCOUNT_WINDOW": "2h",
            "GATEPASS_LOGIN_DELAY_MAX": "1.5",
        }
    )
    assert (s.login_limit_per_account_ip, s.login_failure_window) == (5, 600)
    assert (s.login_limit_per_account, s.login_account_window) == (50, 7200)
    assert s.login_delay_max == 1.5
    assert Settings(login_delay_max=0).login_delay_max == 0  # no delay at all
    for variable, value, message in [
        ("GATEPASS_LOGIN_LIMIT_PER_ACCOUNT_IP", "0", "must be at least 1"),
        ("GATEPASS_LOGIN_FAILURE_WINDOW", "0", "must be at least 1"),
        ("GATEPASS_LOGIN_ACCOUNT_WINDOW", "soon", "must be a duration"),
        ("GATEPASS_LOGIN_DELAY_MAX", "11", "must be a number of seconds from 0 to 10"),
        ("GATEPASS_LOGIN_DELAY_MAX", "-1", "must be a number of seconds"),
    ]:
        with pytest.raises(ConfigError) as caught:
            Settings.from_env({variable: value})
        assert caught.value.message.startswith(f"{variable} {message}")
    with pytest.raises(ConfigError, match="GATEPASS_LOGIN_DELAY_MAX"):
        Settings(login_delay_max=float("nan"))


def test_is_frozen() -> None:
    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.port = 1  # type: ignore[misc]


def test_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEPASS_PORT", "8123")
    assert Settings.from_env().port == 8123


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GATEPASS_ENV", "staging", "GATEPASS_ENV must be 'development' or 'production'"),
        ("GATEPASS_PORT", "eighty", "GATEPASS_PORT must be an integer"),
        ("GATEPASS_PORT", "70000", "GATEPASS_PORT must be at most 65535"),
        ("GATEPASS_PORT", "0", "GATEPASS_PORT must be at least 1"),
        ("GATEPASS_ACCESS_TTL", "-5", "GATEPASS_ACCESS_TTL must be at least 1"),
        ("GATEPASS_ACCESS_TTL", "0", "GATEPASS_ACCESS_TTL must be at least 1"),
        ("GATEPASS_REFRESH_TTL", "1 week", "GATEPASS_REFRESH_TTL must be a duration"),
        ("GATEPASS_SESSION_TTL", "1.5d", "GATEPASS_SESSION_TTL must be a duration"),
        # Non-ASCII digits (Arabic-Indic, fullwidth) are digits to int(), not to us.
        ("GATEPASS_ACCESS_TTL", "\u0663", "GATEPASS_ACCESS_TTL must be a duration"),
        ("GATEPASS_ACCESS_TTL", "\uff11\uff15m", "GATEPASS_ACCESS_TTL must be a duration"),
        ("GATEPASS_MAX_BODY_BYTES", "\u0661\u0660\u0662\u0664", "GATEPASS_MAX_BODY_BYTES must be"),
        ("GATEPASS_REVOCATION_POLL", "\u0660.5", "GATEPASS_REVOCATION_POLL must be"),
        ("GATEPASS_REFRESH_GRACE", "-1", "GATEPASS_REFRESH_GRACE must be at least 0"),
        ("GATEPASS_REAUTH_MAX_AGE", "-1", "GATEPASS_REAUTH_MAX_AGE must be at least 0"),
        ("GATEPASS_REFRESH_GRACE", "8d", "GATEPASS_REFRESH_GRACE must be shorter"),
        ("GATEPASS_COOKIE_SECURE", "maybe", "GATEPASS_COOKIE_SECURE must be true or false"),
        ("GATEPASS_REGISTRATION_OPEN", "2", "GATEPASS_REGISTRATION_OPEN must be true or false"),
        ("GATEPASS_CONSOLE", "maybe", "GATEPASS_CONSOLE must be true or false"),
        ("GATEPASS_TRUSTED_PROXIES", "10.0.0.1,proxy", "GATEPASS_TRUSTED_PROXIES must be"),
        ("GATEPASS_DATABASE_URL", "mysql://x", "GATEPASS_DATABASE_URL must start with"),
        ("GATEPASS_REDIS_URL", "memcached://x", "GATEPASS_REDIS_URL must start with"),
        ("GATEPASS_REDIS_KEY_PREFIX", "a b", "GATEPASS_REDIS_KEY_PREFIX must be 1-64"),
        ("GATEPASS_REDIS_KEY_PREFIX", "x" * 65, "GATEPASS_REDIS_KEY_PREFIX must be 1-64"),
        ("GATEPASS_ISSUER", "auth.example.com", "GATEPASS_ISSUER must be an http(s) URL"),
        ("GATEPASS_ISSUER", "https://a.example/?q=1", "GATEPASS_ISSUER must be an http(s) URL"),
        ("GATEPASS_AUDIENCE", "two words", "GATEPASS_AUDIENCE must be"),
        ("GATEPASS_AUTH_PREFIX", "auth", "GATEPASS_AUTH_PREFIX must be a path"),
        ("GATEPASS_AUTH_PREFIX", "/auth/", "GATEPASS_AUTH_PREFIX must be a path"),
        ("GATEPASS_MAX_BODY_BYTES", "10", "GATEPASS_MAX_BODY_BYTES must be at least 1024"),
        ("GATEPASS_MAX_TOKEN_BYTES", "99", "GATEPASS_MAX_TOKEN_BYTES must be at least 1024"),
        ("GATEPASS_LOGIN_LIMIT_PER_IP", "0", "GATEPASS_LOGIN_LIMIT_PER_IP must be at least 1"),
        ("GATEPASS_ARGON2_MEMORY_COST", "4096", "GATEPASS_ARGON2_MEMORY_COST must be at least"),
        ("GATEPASS_ARGON2_TIME_COST", "1", "GATEPASS_ARGON2_TIME_COST must be at least 2"),
        ("GATEPASS_ARGON2_PARALLELISM", "0", "GATEPASS_ARGON2_PARALLELISM must be at least 1"),
        ("GATEPASS_DATABASE_POOL_SIZE", "0", "GATEPASS_DATABASE_POOL_SIZE must be at least 1"),
        ("GATEPASS_HOST", "two hosts", "GATEPASS_HOST must be"),
        ("GATEPASS_LOG_LEVEL", "verbose", "GATEPASS_LOG_LEVEL must be one of: critical, error"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({variable: value})
    assert caught.value.message.startswith(message)


def test_production_refuses_insecure_cookies() -> None:
    with pytest.raises(ConfigError, match="GATEPASS_COOKIE_SECURE"):
        Settings.from_env({"GATEPASS_ENV": "production", "GATEPASS_COOKIE_SECURE": "0"})
    assert not Settings(cookie_secure=False).cookie_secure  # fine for local development


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ConfigError, match="GATEPASS_ACCESS_TTL"):
        Settings(access_ttl=-1)
    with pytest.raises(ConfigError, match="GATEPASS_PORT must be an integer"):
        Settings(port="80")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="GATEPASS_COOKIE_SECURE"):
        Settings(cookie_secure="no")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="GATEPASS_JWT_SECRET must be a Secret"):
        Settings(jwt_secret=STRONG)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="GATEPASS_JWT_SECRET"):
        Settings(jwt_secret=Secret("changeme"))
    assert Settings(refresh_grace=0).refresh_grace == 0


# --- secrets ------------------------------------------------------------------

WEAK = [
    ("secret", "well-known"),
    ("changeme", "well-known"),
    ("your-256-bit-secret", "well-known"),
    ("password", "well-known"),
    ("changeme" * 5, "well-known"),
    ("secret-secret-secret-secret-secret-secret", "well-known"),
    ("your-256-bit-secret-your-256-bit-secret", "well-known"),
    ("tiny-but-random-Xq9", "at least 32 bytes"),
    (secrets.token_urlsafe(16), "at least 32 bytes"),
    ("a" * 64, "low-entropy"),
    ("ab" * 32, "low-entropy"),
    ("abcdefghijklmnopqrstuvwxyz0123456789", "low-entropy"),
    ("9876543210zyxwvutsrqponmlkjihgfedcba", "low-entropy"),
    ("xyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz", "low-entropy"),
]


SECRET_MESSAGES = {
    "well-known": "GATEPASS_JWT_SECRET is a well-known example secret; "
    "generate one with `gatepass secret generate`",
    "at least 32 bytes": "GATEPASS_JWT_SECRET must be at least 32 bytes; "
    "generate one with `gatepass secret generate`",
    "low-entropy": "GATEPASS_JWT_SECRET looks low-entropy (too few distinct, repeated or "
    "sequential characters); use at least 32 random bytes, e.g. from `gatepass secret generate`",
}


@pytest.mark.parametrize(("value", "reason"), WEAK)
def test_weak_jwt_secrets_are_refused_without_echo(value: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"GATEPASS_JWT_SECRET": value})
    # The message is one of three fixed texts: nothing of the value is echoed.
    assert caught.value.message == SECRET_MESSAGES[reason]


def test_weak_key_encryption_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="GATEPASS_KEY_ENCRYPTION_KEY"):
        Settings.from_env({"GATEPASS_KEY_ENCRYPTION_KEY": "changeme"})


def test_settings_repr_hides_secrets_and_url_passwords() -> None:
    kek = secrets.token_urlsafe(32)
    s = Settings.from_env(
        {
            "GATEPASS_JWT_SECRET": STRONG,
            "GATEPASS_KEY_ENCRYPTION_KEY": kek,
            "GATEPASS_DATABASE_URL": "postgresql+asyncpg://gp:db-hunter2@db:5432/gp",
            "GATEPASS_REDIS_URL": "redis://:redis-hunter2@cache:6379/0",
        }
    )
    for text in (repr(s), str(s)):
        assert STRONG not in text
        assert kek not in text
        assert "hunter2" not in text
        assert "jwt_secret=Secret('**********')" in text
        assert "postgresql+asyncpg://gp:***@db:5432/gp" in text
        assert "redis://:***@cache:6379/0" in text
    assert s.database_url == "postgresql+asyncpg://gp:db-hunter2@db:5432/gp"


def test_access_token_encryption_key_is_a_redacted_jwk() -> None:
    jwk = orjson.dumps(generate_key("dir", enc="A256GCM").export_jwk(private=True)).decode()
    settings = Settings.from_env({"GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY": jwk})
    assert settings.access_token_encryption_key == Secret(jwk)
    assert jwk not in repr(settings)
    with pytest.raises(ConfigError, match="GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY") as caught:
        Settings.from_env({"GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY": "hunter2-not-a-jwk"})
    assert "hunter2" not in str(caught.value)


def test_revocation_poll_key_sync_and_feed_token() -> None:
    s = Settings.from_env({})
    assert (s.revocation_poll, s.key_sync, s.revocation_feed_token) == (0.5, 5.0, None)
    token = secrets.token_urlsafe(32)
    s = Settings.from_env(
        {
            "GATEPASS_REVOCATION_POLL": "0.25",
            "GATEPASS_KEY_SYNC": "2",
            "GATEPASS_REVOCATION_FEED_TOKEN": token,
        }
    )
    assert (s.revocation_poll, s.key_sync) == (0.25, 2.0)
    assert s.revocation_feed_token == Secret(token)
    assert token not in repr(s)


@pytest.mark.parametrize("name", ["GATEPASS_REVOCATION_POLL", "GATEPASS_KEY_SYNC"])
@pytest.mark.parametrize("raw", ["0", "0.0", "-1", "abc", "1e3", "nan", "3601"])
def test_sync_periods_must_be_positive_seconds(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: raw})


def test_revocation_feed_token_must_be_strong() -> None:
    with pytest.raises(ConfigError, match="GATEPASS_REVOCATION_FEED_TOKEN") as caught:
        Settings.from_env({"GATEPASS_REVOCATION_FEED_TOKEN": "hunter2hunter2"})
    assert "hunter2" not in str(caught.value)


def test_signing_alg_defaults_to_es256_and_takes_the_four_algorithms() -> None:
    assert Settings().signing_alg == "ES256"
    for alg in ("ES256", "RS256", "PS256", "EdDSA"):
        assert Settings.from_env({"GATEPASS_SIGNING_ALG": alg}).signing_alg == alg
    for bad in ("HS256", "none", "es256", "ES512"):
        with pytest.raises(ConfigError) as caught:
            Settings.from_env({"GATEPASS_SIGNING_ALG": bad})
        assert caught.value.message == (
            "GATEPASS_SIGNING_ALG must be one of: ES256, RS256, PS256, EdDSA"
        )


def test_request_head_limits() -> None:
    s = Settings.from_env({})
    assert (s.max_header_bytes, s.header_timeout) == (16384, 5.0)
    s = Settings.from_env({"GATEPASS_MAX_HEADER_BYTES": "32768", "GATEPASS_HEADER_TIMEOUT": "1.5"})
    assert (s.max_header_bytes, s.header_timeout) == (32768, 1.5)


@pytest.mark.parametrize("raw", ["8191", "1048577", "16k", "-1"])
def test_max_header_bytes_is_bounded(raw: str) -> None:
    with pytest.raises(ConfigError, match="GATEPASS_MAX_HEADER_BYTES"):
        Settings.from_env({"GATEPASS_MAX_HEADER_BYTES": raw})


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "3601"])
def test_header_timeout_must_be_positive_seconds(raw: str) -> None:
    with pytest.raises(ConfigError, match="GATEPASS_HEADER_TIMEOUT"):
        Settings.from_env({"GATEPASS_HEADER_TIMEOUT": raw})


def test_every_variable_names_its_parser_beside_its_field() -> None:
    for f in dataclasses.fields(Settings):
        if f.init:
            assert callable(parser_of(f)), f.name


# --- mail ---------------------------------------------------------------------

SMTP = {
    "GATEPASS_SMTP_URL": "smtps://mailer:hunter2%40x@smtp.example.com",
    "GATEPASS_MAIL_FROM": "Gatepass <noreply@example.com>",
}


def test_the_mail_settings_are_read_into_one_mail_config() -> None:
    s = Settings.from_env({**SMTP, "GATEPASS_APP_URL": "https://app.example.com/"})
    config = s.mail_config
    assert (config.mode, config.host, config.port, config.security) == (
        "smtp",
        "smtp.example.com",
        465,
        "tls",
    )
    assert (config.username, config.password) == ("mailer", "hunter2@x")
    assert (config.sender, config.app_url) == (
        "Gatepass <noreply@example.com>",
        "https://app.example.com",
    )
    assert Settings.from_env({"GATEPASS_MAIL": "OFF"}).mail_config.mode == "off"


def test_without_an_app_url_the_links_point_at_the_issuer_where_the_console_pages_are() -> None:
    assert Settings().mail_config.app_url == "http://127.0.0.1:8000"
    s = Settings.from_env({"GATEPASS_ISSUER": "https://id.example.com/"})
    assert (s.mail_config.mode, s.mail_config.app_url) == (
        "log",
        "https://id.example.com",
    )


def test_the_smtp_password_stays_out_of_reprs_and_errors() -> None:
    s = Settings.from_env(SMTP)
    for text in (repr(s), str(s), repr(s.mail_config)):
        assert "hunter2" not in text
    with pytest.raises(ConfigError, match="GATEPASS_SMTP_URL") as refused:
        Settings.from_env({**SMTP, "GATEPASS_SMTP_URL": "smtp://u:hunter2@host:99999"})
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"GATEPASS_SMTP_URL": "http://smtp.example.com"}, "GATEPASS_SMTP_URL"),
        ({"GATEPASS_SMTP_URL": "smtp://smtp.example.com"}, "GATEPASS_MAIL_FROM"),
        ({"GATEPASS_MAIL_FROM": "not an address"}, "GATEPASS_MAIL_FROM"),
        ({"GATEPASS_APP_URL": "ftp://app.example.com"}, "GATEPASS_APP_URL"),
        ({"GATEPASS_MAIL": "sometimes"}, "GATEPASS_MAIL"),
        ({**SMTP, "GATEPASS_MAIL": "off"}, "GATEPASS_MAIL=off"),
    ],
)
def test_bad_mail_settings_are_refused_at_start(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


def test_verified_email_is_required_in_production_unless_said_otherwise() -> None:
    assert not Settings().verified_email_required
    production = {"GATEPASS_ENV": "production"}
    assert Settings.from_env(production).verified_email_required
    off = {**production, "GATEPASS_REQUIRE_VERIFIED_EMAIL": "false"}
    assert not Settings.from_env(off).verified_email_required
    assert Settings.from_env({"GATEPASS_REQUIRE_VERIFIED_EMAIL": "yes"}).verified_email_required
    with pytest.raises(ConfigError, match="GATEPASS_REQUIRE_VERIFIED_EMAIL must be true or false"):
        Settings.from_env({"GATEPASS_REQUIRE_VERIFIED_EMAIL": "maybe"})
