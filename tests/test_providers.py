"""GATEPASS_OIDC_PROVIDERS and its file: entries, presets, the secret kept out of reprs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatepass.errors import ConfigError
from gatepass.settings import Settings

TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


def settings(entries: list[dict[str, Any]], **env: str) -> Settings:
    return Settings.from_env({"GATEPASS_OIDC_PROVIDERS": json.dumps(entries), **env})


def test_presets_fill_what_an_entry_leaves_out() -> None:
    found = settings(
        [
            {"name": "google", "client_id": "g", "client_secret": "gs"},
            {"name": "microsoft", "client_id": "m", "client_secret": "ms", "tenant": TENANT},
            {"name": "github", "client_id": "h", "client_secret": "hs"},
            {"name": "corp", "preset": "google", "client_id": "c", "client_secret": "cs"},
        ]
    ).providers
    google, microsoft, github, corp = found
    assert (google.kind, google.issuer, google.label) == (
        "oidc",
        "https://accounts.google.com",
        "Google",
    )
    assert google.scopes == ("openid", "email", "profile")
    assert microsoft.issuer == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    assert (github.kind, github.scopes) == ("github", ("read:user", "user:email"))
    assert corp.issuer == google.issuer
    assert corp.name == "corp"


def test_a_plain_entry_and_openid_always_asked() -> None:
    (keycloak,) = settings(
        [
            {
                "name": "keycloak",
                "issuer": "https://sso.example.com/realms/staff",
                "client_id": "gatepass",
                "client_secret": "s",
                "scopes": ["email"],
                "label": "Staff SSO",
            }
        ]
    ).providers
    assert keycloak.scopes == ("openid", "email")
    assert keycloak.label == "Staff SSO"
    assert keycloak.client_secret.get() == "s"


def test_the_client_secret_never_shows() -> None:
    config = settings([{"name": "google", "client_id": "g", "client_secret": "very-secret-value"}])
    assert "very-secret-value" not in repr(config)
    assert "very-secret-value" not in repr(config.providers)


def test_the_file_adds_providers(tmp_path: Path) -> None:
    path = tmp_path / "providers.json"
    path.write_text(json.dumps([{"name": "github", "client_id": "h", "client_secret": "hs"}]))
    config = settings(
        [{"name": "google", "client_id": "g", "client_secret": "gs"}],
        GATEPASS_OIDC_PROVIDERS_FILE=str(path),
    )
    assert [p.name for p in config.providers] == ["google", "github"]
    with pytest.raises(ConfigError, match="name one provider twice"):
        settings(
            [{"name": "github", "client_id": "g", "client_secret": "gs"}],
            GATEPASS_OIDC_PROVIDERS_FILE=str(path),
        )
    with pytest.raises(ConfigError, match="cannot be read"):
        Settings.from_env({"GATEPASS_OIDC_PROVIDERS_FILE": str(tmp_path / "missing.json")})


@pytest.mark.parametrize(
    ("entries", "says"),
    [
        ({"name": "x"}, "JSON list"),
        (
            [{"name": "Bad Name", "client_id": "c", "client_secret": "s", "issuer": "https://i"}],
            "name",
        ),
        ([{"name": "kc", "client_id": "c", "client_secret": "s"}], "issuer is required"),
        ([{"name": "kc", "issuer": "https://i", "client_secret": "s"}], "client_id"),
        ([{"name": "kc", "issuer": "https://i", "client_id": "c"}], "client_secret"),
        (
            [{"name": "kc", "issuer": "https://i", "client_id": "c", "client_secret": "s", "x": 1}],
            "unknown",
        ),
        (
            [{"name": "microsoft", "client_id": "c", "client_secret": "s", "tenant": "common"}],
            "tenant",
        ),
        ([{"name": "kc", "preset": "okta", "client_id": "c", "client_secret": "s"}], "preset"),
        (
            [
                {
                    "name": "kc",
                    "issuer": "https://i",
                    "client_id": "c",
                    "client_secret": "s",
                    "scopes": "email",
                }
            ],
            "scopes",
        ),
        (
            [
                {"name": "kc", "issuer": "https://i", "client_id": "c", "client_secret": "s"},
                {"name": "kc", "issuer": "https://j", "client_id": "c", "client_secret": "s"},
            ],
            "one name",
        ),
    ],
)
def test_bad_entries_are_refused_naming_the_entry_not_the_secret(entries: Any, says: str) -> None:
    with pytest.raises(ConfigError, match=says) as refused:
        Settings.from_env({"GATEPASS_OIDC_PROVIDERS": json.dumps(entries)})
    assert '"s"' not in str(refused.value)


def test_return_origins_are_origins() -> None:
    ok = Settings.from_env(
        {"GATEPASS_OIDC_RETURN_ORIGINS": "https://app.example, http://localhost:3000"}
    )
    assert ok.oidc_return_origins == ("https://app.example", "http://localhost:3000")
    with pytest.raises(ConfigError, match="RETURN_ORIGINS"):
        Settings.from_env({"GATEPASS_OIDC_RETURN_ORIGINS": "https://app.example/path"})
