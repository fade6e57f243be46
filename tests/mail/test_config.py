"""``MailConfig.from_values``: the SMTP URL, the From address, the app URL, GATEPASS_MAIL."""

from __future__ import annotations

import pytest

from gatepass.errors import ConfigError
from gatepass.mail.config import DEFAULT_MAIL_FROM, MailConfig, is_loopback

FROM = "noreply@example.com"


def smtp(url: str, **values: str) -> MailConfig:
    return MailConfig.from_values(smtp_url=url, mail_from=values.pop("mail_from", FROM), **values)


def test_nothing_set_means_the_log_mailer() -> None:
    config = MailConfig.from_values()
    assert (config.mode, config.sender, config.app_url, config.host) == (
        "log",
        DEFAULT_MAIL_FROM,
        None,
        None,
    )
    assert MailConfig.from_values(smtp_url="", mail="") == config


def test_smtp_with_credentials_requires_starttls_off_loopback() -> None:
    config = smtp("smtp://user%40corp:p%40ss%2Fw@mail.example.com:2525")
    assert config.mode == "smtp"
    assert (config.host, config.port, config.security) == ("mail.example.com", 2525, "starttls")
    assert (config.username, config.password) == ("user@corp", "p@ss/w")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "localhost", "LOCALHOST.", "[::1]"])
def test_smtp_to_loopback_stays_plain(host: str) -> None:
    config = smtp(f"smtp://{host}:25")
    assert (config.security, config.port) == ("none", 25)


def test_smtps_is_implicit_tls_and_ports_default() -> None:
    assert (smtp("smtps://mail.example.com").security, smtp("smtps://m.example").port) == (
        "tls",
        465,
    )
    assert smtp("smtps://127.0.0.1").security == "tls"
    assert smtp("smtp://mail.example.com").port == 587
    assert smtp("SMTP://mail.example.com/").host == "mail.example.com"


def test_the_password_is_never_in_repr_or_str() -> None:
    config = smtp("smtp://user:hunter2-secret@mail.example.com")
    assert "hunter2-secret" not in repr(config)
    assert "hunter2-secret" not in str(config)
    assert "user" in repr(config)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://mail.example.com", "smtp://"),
        ("mail.example.com:25", "smtp://"),
        ("smtp://", "no host"),
        ("smtp://:pw@", "no host"),
        ("smtp://mail.example.com:0", "1-65535"),
        ("smtp://mail.example.com:70000", "1-65535"),
        ("smtp://mail.example.com:port", "1-65535"),
        ("smtp://mail.example.com/path", "no path"),
        ("smtp://mail.example.com?x=1", "no path"),
        ("smtp://user@mail.example.com", "both a user name and a password"),
        ("smtp://:pw@mail.example.com", "both a user name and a password"),
    ],
)
def test_bad_smtp_urls_are_clear_errors_without_the_password(url: str, why: str) -> None:
    with pytest.raises(ConfigError, match="GATEPASS_SMTP_URL") as caught:
        smtp(url)
    assert why in caught.value.message
    assert "pw" not in caught.value.message


def test_smtp_needs_a_from_address() -> None:
    with pytest.raises(ConfigError, match="GATEPASS_MAIL_FROM"):
        MailConfig.from_values(smtp_url="smtp://mail.example.com")


@pytest.mark.parametrize("sender", ["noreply@example.com", "Gatepass <noreply@example.com>"])
def test_from_addresses(sender: str) -> None:
    assert smtp("smtp://127.0.0.1", mail_from=sender).sender == sender


@pytest.mark.parametrize("sender", ["noreply", "a@b.c\r\nBcc: victim@example.com", "<>", "x@y\x00"])
def test_bad_from_addresses(sender: str) -> None:
    with pytest.raises(ConfigError, match="GATEPASS_MAIL_FROM"):
        smtp("smtp://127.0.0.1", mail_from=sender)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("https://app.example.com", "https://app.example.com"),
        ("https://app.example.com/", "https://app.example.com"),
        ("http://127.0.0.1:8000/console/", "http://127.0.0.1:8000/console"),
    ],
)
def test_app_urls(raw: str, kept: str) -> None:
    assert MailConfig.from_values(app_url=raw).app_url == kept


@pytest.mark.parametrize(
    "raw",
    [
        "app.example.com",
        "ftp://app.example.com",
        "https://",
        "https://app.example.com/?a=1",
        "https://app.example.com/#/x",
        "https://user:pw@app.example.com",
        "https://app.example.com:99999",
        "javascript:alert(1)",
    ],
)
def test_bad_app_urls(raw: str) -> None:
    with pytest.raises(ConfigError, match="GATEPASS_APP_URL"):
        MailConfig.from_values(app_url=raw)


def test_mail_off_by_name() -> None:
    assert MailConfig.from_values(mail="off").mode == "off"
    assert MailConfig.from_values(mail=" OFF ").mode == "off"
    assert MailConfig.from_values(mail="on").mode == "log"
    with pytest.raises(ConfigError, match="GATEPASS_MAIL must be on or off"):
        MailConfig.from_values(mail="false")
    with pytest.raises(ConfigError, match="both set"):
        MailConfig.from_values(mail="off", smtp_url="smtp://127.0.0.1", mail_from=FROM)


def test_production_needs_smtp_or_mail_off() -> None:
    with pytest.raises(ConfigError, match="production needs GATEPASS_SMTP_URL"):
        MailConfig.from_values().check_production()
    MailConfig.from_values(mail="off").check_production()
    smtp("smtps://mail.example.com").check_production()


def test_is_loopback() -> None:
    assert is_loopback("::1")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("localhost.example.com")
    assert not is_loopback("127.0.0.1.nip.io")
