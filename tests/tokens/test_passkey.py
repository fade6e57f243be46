"""The pure WebAuthn rules of ``gatepass.tokens.passkey``: the relying party the
settings describe, the counter rule, the amr values, challenges."""

from __future__ import annotations

import pytest

from gatepass.errors import ConfigError
from gatepass.settings import Settings
from gatepass.tokens.passkey import (
    RelyingParty,
    amr_of,
    challenge_hash,
    counter_went_back,
    new_challenge,
    relying_party,
)


def test_by_default_the_issuers_host_and_origin() -> None:
    rp = Settings(issuer="https://auth.example.com/base").relying_party
    assert rp == RelyingParty("auth.example.com", "gatepass", ("https://auth.example.com",))


def test_the_app_url_joins_the_origins_when_it_is_on_the_rp_id() -> None:
    on = Settings(
        issuer="https://auth.example.com",
        app_url="https://app.example.com/",
        webauthn_rp_id="example.com",
    ).relying_party
    assert on.origins == ("https://auth.example.com", "https://app.example.com")
    # elsewhere, it is left out rather than refusing to start (set the rp id to join them)
    off = Settings(issuer="https://auth.example.com", app_url="https://other.org").relying_party
    assert off.origins == ("https://auth.example.com",)


def test_given_origins_are_checked_against_the_rp_id() -> None:
    given = Settings.from_env(
        {
            "GATEPASS_ISSUER": "https://auth.example.com",
            "GATEPASS_WEBAUTHN_RP_ID": "Example.com",
            "GATEPASS_WEBAUTHN_RP_NAME": "Example",
            "GATEPASS_WEBAUTHN_ORIGINS": "https://example.com, https://app.example.com:8443/",
        }
    ).relying_party
    assert given == RelyingParty(
        "example.com", "Example", ("https://example.com", "https://app.example.com:8443")
    )
    for origin in ("https://evil.org", "https://notexample.com", "ftp://example.com"):
        with pytest.raises(ConfigError):
            Settings(webauthn_rp_id="example.com", webauthn_origins=(origin,))
    with pytest.raises(ConfigError):  # a URL with a path is not an origin
        relying_party(
            rp_id="example.com",
            rp_name="x",
            origins=["https://example.com/login"],
            issuer="https://example.com",
            app_url=None,
        )


def test_the_counter_must_grow_when_either_counts() -> None:
    assert not counter_went_back(0, 0)  # a synced passkey that never counts
    assert not counter_went_back(0, 1)
    assert not counter_went_back(5, 6)
    assert counter_went_back(5, 5)
    assert counter_went_back(5, 4)
    assert counter_went_back(5, 0)  # stopped counting: as a copy would


def test_amr_says_the_kind_of_key_and_whether_the_user_was_verified() -> None:
    assert amr_of(backup_eligible=False, user_verified=True) == ("hwk", "user")
    assert amr_of(backup_eligible=True, user_verified=True) == ("swk", "user")
    assert amr_of(backup_eligible=False, user_verified=False) == ("hwk",)


def test_challenges_are_fresh_and_kept_as_hashes() -> None:
    one, two = new_challenge(), new_challenge()
    assert len(one) == 32
    assert one != two
    assert len(challenge_hash(one)) == 64
    assert challenge_hash(one) != challenge_hash(two)
