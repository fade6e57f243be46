"""oauth4webapi (panva's OAuth client) discovers gatepass, refreshes at its token endpoint."""

from __future__ import annotations

import secrets

import httpx
import pytest

from gatepass.jose import KeySet, decode
from gatepass.settings import Secret
from tests.interop.conftest import AUDIENCE, in_process, login, node_script


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_discovery_in_both_modes_then_refresh_and_revoke(alg: str) -> None:
    with in_process(signing_alg=alg) as url:
        tokens = login(url)
        seen = node_script("oauth.mjs", {"issuer": url, "refresh_token": tokens["refresh_token"]})
        oauth2, oidc = seen["metadata"]["oauth2"], seen["metadata"]["oidc"]
        assert oauth2 == oidc
        assert oauth2["issuer"] == url
        assert oauth2["token_endpoint"] == f"{url}/auth/token"
        assert oauth2["jwks_uri"] == f"{url}/.well-known/jwks.json"
        for grant in seen["grants"]:
            assert grant == {
                "token_type": "bearer",  # oauth4webapi lower-cases it
                "expires_in": 900,
                "has_access_token": True,
                "rotated": True,
            }
        # The second grant's access token is a real gatepass token, whose session the
        # revocation then ended.
        keys = KeySet.import_jwks(httpx.get(oauth2["jwks_uri"]).json())
        claims = decode(seen["access_token"], keys, algorithms=[alg], audience=AUDIENCE, issuer=url)
        assert claims["email"] == "ada@example.com"
        assert seen["revoked"] is True
        bearer = {"Authorization": f"Bearer {seen['access_token']}"}
        me = httpx.get(f"{url}/auth/me", headers=bearer)
        assert me.status_code == 401
        assert seen["after_revocation"] == {
            "ok": False,
            "name": "ResponseBodyError",
            "error": "invalid_grant",
            "status": 400,
        }


def test_hs256_mode_discovery_has_no_jwks_uri() -> None:
    with in_process(jwt_secret=Secret(secrets.token_urlsafe(32))) as url:
        tokens = login(url)
        seen = node_script("oauth.mjs", {"issuer": url, "refresh_token": tokens["refresh_token"]})
        assert "jwks_uri" not in seen["metadata"]["oauth2"]
        assert "jwks_uri" not in seen["metadata"]["oidc"]
        assert [g["rotated"] for g in seen["grants"]] == [True, True]
