"""The OpenAPI document: security schemes, error bodies, 2xx bodies that match the answers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel

from gatepass.server import schemas
from gatepass.server.openapi import describe
from gatepass.settings import Settings
from tests.server.conftest import Server


async def _document(server: Server) -> dict[str, Any]:
    reply = await server.client.get("/openapi.json")
    assert reply.status_code == 200
    document: dict[str, Any] = reply.json()
    return document


async def test_the_openapi_document_declares_security_and_error_bodies(server: Server) -> None:
    document = await _document(server)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["cookie"] == {"type": "apiKey", "in": "cookie", "name": "__Host-gatepass_access"}
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in json.dumps(document)
    assert schemas["Error"]["required"] == ["error", "message"]
    paths = document["paths"]
    me = paths["/auth/me"]["get"]
    assert me["security"] == [{"bearer": []}, {"cookie": []}]
    assert {"401", "403", "413", "503"} <= set(me["responses"])
    assert me["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Me"
    }
    login = paths["/auth/login"]["post"]
    assert "security" not in login
    assert {"401", "413", "415", "422", "429"} <= set(login["responses"])
    error = {"$ref": "#/components/schemas/Error"}
    for status in ("401", "415", "422", "429"):
        assert login["responses"][status]["content"]["application/json"]["schema"] == error
    register = paths["/auth/register"]["post"]
    assert {"409", "429"} <= set(register["responses"])
    body = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    credentials = schemas[body.rsplit("/", 1)[1]]
    assert credentials["properties"]["email"]["format"] == "email"
    assert "/auth/revocations" not in paths  # no feed token configured: the feed is a 404


async def test_every_json_operation_refuses_a_text_plain_body(server: Server) -> None:
    # Catches a router added without JsonRoute: its body would be read as JSON anyway.
    document = await _document(server)
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            # Path parameters by a value every one of them takes (32 hex digits).
            url = re.sub(r"\{[^}]+\}", "0" * 32, path)
            reply = await server.client.request(
                method, url, content=b"{}", headers={"Content-Type": "text/plain"}
            )
            assert reply.status_code == 415, (method, path)
            assert "415" in operation["responses"], (method, path)
            checked += 1
    assert checked >= 4


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/auth/me", schemas.Me),
        ("/auth/sessions", schemas.Sessions),
        ("/auth/identities", schemas.Identities),
        ("/auth/oidc/providers", schemas.Providers),
        ("/dashboard", schemas.Dashboard),
        ("/health", schemas.Health),
        ("/.well-known/jwks.json", schemas.Jwks),
        ("/.well-known/openid-configuration", schemas.Discovery),
        ("/console/config.json", schemas.ConsoleConfig),
    ],
)
async def test_the_documented_bodies_are_the_real_ones(
    server: Server, path: str, model: type[BaseModel]
) -> None:
    tokens = await server.register_and_login()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    reply = await server.client.get(path, headers=headers)
    assert reply.status_code == 200
    model.model_validate(reply.json())  # extra="forbid": no undocumented member either


async def test_login_register_and_refresh_bodies_are_documented(server: Server) -> None:
    account = {"email": "ada@example.com", "password": "correct horse battery"}
    registered = await server.client.post("/auth/register", json=account)
    schemas.Registered.model_validate(registered.json())
    for cookies in (False, True):
        login = await server.client.post("/auth/login", json={**account, "cookies": cookies})
        schemas.Tokens.model_validate(login.json())
    refreshed = await server.client.post(
        "/auth/refresh", headers={"X-CSRF-Token": login.json()["csrf_token"]}
    )
    assert refreshed.status_code == 200
    schemas.Tokens.model_validate(refreshed.json())


def test_an_operation_it_does_not_know_is_described_generously() -> None:
    document: dict[str, Any] = {
        "paths": {"/new": {"post": {"requestBody": {}, "responses": {"200": {}}}}}
    }
    responses = describe(document, Settings())["paths"]["/new"]["post"]["responses"]
    expected = {"200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "503"}
    assert set(responses) == expected
    assert "security" not in json.dumps(document["paths"])
