"""Reading a discovery document: the exact issuer, https endpoints, code + S256, algorithms."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gatepass.federation.metadata import MetadataRejected, metadata_from_json

ISSUER = "https://idp.example.com/realms/x"


def document(**changes: Any) -> bytes:
    base: dict[str, Any] = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/auth",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/certs",
        "userinfo_endpoint": f"{ISSUER}/userinfo",
        "response_types_supported": ["code", "id_token"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256", "none"],
    }
    base.update(changes)
    return json.dumps({k: v for k, v in base.items() if v is not None}).encode()


def read(body: bytes, insecure: bool = False) -> Any:
    return metadata_from_json(body, issuer=ISSUER, allow_insecure_loopback=insecure)


def test_a_good_document() -> None:
    found = read(document())
    assert found.token_endpoint == f"{ISSUER}/token"
    assert found.userinfo_endpoint == f"{ISSUER}/userinfo"
    assert found.id_token_algorithms == {"RS256", "ES256"}  # never HS256, never none
    assert found.token_auth_method == "client_secret_basic"  # RFC 8414 default


def test_the_auth_method_follows_the_document() -> None:
    post = read(
        document(token_endpoint_auth_methods_supported=["private_key_jwt", "client_secret_post"])
    )
    assert post.token_auth_method == "client_secret_post"
    with pytest.raises(MetadataRejected):
        read(document(token_endpoint_auth_methods_supported=["private_key_jwt"]))


def test_no_algorithm_list_means_rs256() -> None:
    assert read(document(id_token_signing_alg_values_supported=None)).id_token_algorithms == {
        "RS256"
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"issuer": ISSUER + "/"},  # exactly, not "the same after normalising"
        {"issuer": "https://evil.example"},
        {"issuer": None},
        {"token_endpoint": "http://idp.example.com/token"},
        {"jwks_uri": None},
        {"authorization_endpoint": 5},
        {"response_types_supported": ["id_token"]},
        {"code_challenge_methods_supported": ["plain"]},
        {"id_token_signing_alg_values_supported": ["HS256", "none"]},
        {"id_token_signing_alg_values_supported": "RS256"},
    ],
)
def test_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(MetadataRejected):
        read(document(**changes))


@pytest.mark.parametrize("body", [b"[]", b"not json", b'{"issuer": 1, "issuer": 2}', b"\xff"])
def test_garbage(body: bytes) -> None:
    with pytest.raises(MetadataRejected):
        read(body)


def test_plain_http_only_on_loopback_when_allowed() -> None:
    local = "http://127.0.0.1:9000"
    body = json.dumps(
        {
            "issuer": local,
            "authorization_endpoint": f"{local}/auth",
            "token_endpoint": f"{local}/token",
            "jwks_uri": f"{local}/jwks",
        }
    ).encode()
    assert metadata_from_json(body, issuer=local, allow_insecure_loopback=True).jwks_uri
    with pytest.raises(MetadataRejected):
        metadata_from_json(body, issuer=local, allow_insecure_loopback=False)
