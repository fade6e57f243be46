"""``authenticator_from_env``: the examples' configuration."""

from __future__ import annotations

import pytest

from gatepass.errors import ConfigError
from gatepass.jose import Key
from gatepass.protect import RevocationSync, authenticator_from_env
from tests.protect.helpers import AUDIENCE, ISSUER, SECRET, mint


async def test_a_shared_secret_configuration_verifies_the_servers_tokens() -> None:
    auth = authenticator_from_env({"GATEPASS_ISSUER": ISSUER, "GATEPASS_JWT_SECRET": SECRET})
    token = mint(Key.from_secret(SECRET, alg="HS256", kid="hs256"))
    async with auth:
        assert (await auth.authenticate(token)).email == "ada@example.com"
    assert auth.revocations is None


def test_a_jwks_and_feed_configuration() -> None:
    auth = authenticator_from_env(
        {
            "GATEPASS_ISSUER": ISSUER,
            "GATEPASS_AUDIENCE": AUDIENCE,
            "GATEPASS_JWKS_URL": "http://127.0.0.1:8000/.well-known/jwks.json",
            "GATEPASS_AUTH_URL": "http://127.0.0.1:8000",
            "GATEPASS_REVOCATION_FEED_TOKEN": "t",
            "GATEPASS_ALLOW_HTTP_LOOPBACK": "true",
        }
    )
    assert auth.jwks is not None
    assert isinstance(auth.revocations, RevocationSync)
    assert auth.revocations.feed_url == "http://127.0.0.1:8000/auth/revocations"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"GATEPASS_ISSUER": ISSUER},
        {
            "GATEPASS_ISSUER": ISSUER,
            "GATEPASS_JWT_SECRET": SECRET,
            "GATEPASS_JWKS_URL": "https://x",
        },
        {"GATEPASS_ISSUER": ISSUER, "GATEPASS_JWKS_URL": "http://127.0.0.1/jwks.json"},
        {"GATEPASS_ISSUER": ISSUER, "GATEPASS_JWT_SECRET": "changeme"},
        {
            "GATEPASS_ISSUER": ISSUER,
            "GATEPASS_JWT_SECRET": SECRET,
            "GATEPASS_ALLOW_HTTP_LOOPBACK": "maybe",
        },
    ],
)
def test_bad_configurations_are_refused_without_echoing_secrets(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        authenticator_from_env(env)
    assert "changeme" not in str(info.value)


@pytest.mark.parametrize(
    ("prefix", "channel"), [(None, "gatepass:revocations"), ("blue", "blue:revocations")]
)
def test_redis_follows_the_servers_key_prefix(prefix: str | None, channel: str) -> None:
    env = {
        "GATEPASS_ISSUER": ISSUER,
        "GATEPASS_JWT_SECRET": SECRET,
        "GATEPASS_REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    if prefix is not None:
        env["GATEPASS_REDIS_KEY_PREFIX"] = prefix
    auth = authenticator_from_env(env)
    assert isinstance(auth.revocations, RevocationSync)
    assert auth.revocations.channel == channel
    with pytest.raises(ConfigError, match="GATEPASS_REDIS_KEY_PREFIX"):
        authenticator_from_env({**env, "GATEPASS_REDIS_KEY_PREFIX": "no spaces"})
