"""The docs pages: vendored assets, a strict CSP, off in production unless enabled."""

from __future__ import annotations

import re
import secrets
from importlib import resources

import pytest

from gatepass.server.apidocs import DOCS_CONTENT_SECURITY_POLICY
from gatepass.settings import Secret, Settings
from tests.server.conftest import Server, start

KEK = Secret(secrets.token_urlsafe(32))  # production needs a key-encryption key (and mail=)

VENDOR = resources.files("gatepass.web").joinpath("vendor")


async def _status(settings: Settings, path: str) -> int:
    statuses = [(await server.client.get(path)).status_code async for server in start(settings)]
    return statuses[0]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_pages_load_nothing_external_and_no_inline_script(
    server: Server, page: str
) -> None:
    reply = await server.client.get(page)
    assert reply.status_code == 200
    assert reply.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in DOCS_CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in DOCS_CONTENT_SECURITY_POLICY
    assert reply.headers["x-frame-options"] == "DENY"
    html = reply.text
    assert "//" not in html  # no URL with a host at all
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(link.startswith("/docs/assets/") or link == "data:," for link in links), links
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    assert all('src="/docs/assets/' in attrs and not body.strip() for attrs, body in scripts)
    for src in re.findall(r'(?:src|href)="(/[^"]*)"', html):
        asset = await server.client.get(src)
        assert asset.status_code == 200, src
        assert asset.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY


async def test_assets_are_the_vendored_bytes(server: Server) -> None:
    reply = await server.client.get("/docs/assets/swagger-ui-bundle.js")
    assert reply.headers["content-type"] == "text/javascript; charset=utf-8"
    expected = VENDOR.joinpath("swagger-ui", "swagger-ui-bundle.js").read_bytes()
    assert reply.content == expected
    redoc = await server.client.get("/docs/assets/redoc.standalone.js")
    assert redoc.content == VENDOR.joinpath("redoc", "redoc.standalone.js").read_bytes()
    assert (await server.client.get("/docs/assets/package.json")).status_code == 404


def test_the_vendored_files_keep_their_licences_and_versions() -> None:
    for folder in ("swagger-ui", "redoc"):
        assert VENDOR.joinpath(folder, "LICENSE").read_text().strip()
    readme = VENDOR.joinpath("README.md").read_text()
    assert "swagger-ui-dist 5.36.0" in readme
    assert "redoc 2.5.4" in readme
    bundle = VENDOR.joinpath("swagger-ui", "swagger-ui-bundle.js").read_text()
    assert "5.36.0" in bundle


@pytest.mark.parametrize(
    "path", ["/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-init.js"]
)
async def test_production_serves_no_docs_unless_enabled(path: str) -> None:
    assert (
        await _status(Settings(env="production", key_encryption_key=KEK, mail="off"), path) == 404
    )
    assert (
        await _status(
            Settings(env="production", api_docs=True, key_encryption_key=KEK, mail="off"), path
        )
        == 200
    )
    assert await _status(Settings(), path) == 200
    assert await _status(Settings(api_docs=False), path) == 404


def test_the_setting_is_read_by_name() -> None:
    assert Settings.from_env({"GATEPASS_API_DOCS": "true", "GATEPASS_ENV": "production"}).api_docs
    assert not Settings.from_env({"GATEPASS_ENV": "production"}).api_docs_enabled
    assert Settings.from_env({}).api_docs_enabled
    assert not Settings.from_env({"GATEPASS_API_DOCS": "off"}).api_docs_enabled
