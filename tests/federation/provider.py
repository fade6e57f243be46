"""panva's ``oidc-provider`` (tests/interop/oidc_provider.mjs) on loopback, and a person
signing in on its built-in login and consent pages over plain HTTP.

``oidc_provider(workdir, clients=..., accounts=...)`` starts one on a free port and
yields its issuer; ``sign_in(browser, start_url, login)`` follows gatepass's
redirect to it, submits its login form (any login, any password) and its
consent form, and follows the redirect back to gatepass's callback.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from tests.interop.conftest import node_modules
from tests.services import missing
from tests.serving import free_port, wait_until

SCRIPT = Path(__file__).resolve().parents[1] / "interop" / "oidc_provider.mjs"
CLIENT_ID = "gatepass-tests"
CLIENT_SECRET = "a-client-secret-for-tests-only-0123456789"
_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)


@contextmanager
def oidc_provider(
    workdir: Path,
    *,
    redirect_uris: Sequence[str],
    accounts: Mapping[str, Mapping[str, Any]] | None = None,
    auth_method: str = "client_secret_basic",
) -> Iterator[str]:
    node = shutil.which("node")
    if node is None:
        missing("node is not installed")
    node_modules()
    port = free_port()
    config = {
        "port": port,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": list(redirect_uris),
                "token_endpoint_auth_method": auth_method,
            }
        ],
        "accounts": dict(accounts or {}),
    }
    issuer = f"http://127.0.0.1:{port}"
    log = workdir / f"oidc-provider-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [node, str(SCRIPT), json.dumps(config)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until(lambda: _up(issuer) or process.poll() is not None, "oidc-provider start", 30)
        assert process.poll() is None, log.read_text()
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def _up(issuer: str) -> bool:
    try:
        return httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).is_success
    except httpx.TransportError:
        return False


def provider_entry(issuer: str, name: str = "local") -> str:
    """``GATEPASS_OIDC_PROVIDERS`` naming only the local provider (zero other configuration)."""
    return json.dumps(
        [
            {
                "name": name,
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scopes": ["openid", "email"],
            }
        ]
    )


def _submit(
    browser: httpx.Client, page: httpx.Response, fields: Mapping[str, str]
) -> httpx.Response:
    match = _FORM.search(page.text)
    assert match is not None, page.text[:2000]
    return browser.post(urljoin(str(page.url), unescape(match.group(1))), data=dict(fields))


def sign_in(browser: httpx.Client, start_url: str, login: str) -> httpx.Response:
    """From gatepass's ``/oidc/<name>/login`` to the answer of its callback (not followed)."""
    page = browser.get(start_url, follow_redirects=True)
    assert 'name="login"' in page.text, page.text[:2000]
    page = _submit(browser, page, {"prompt": "login", "login": login, "password": "any"})
    page = _follow_to_gatepass(browser, page)
    if "/callback" not in str(page.url):  # the consent page
        page = _submit(browser, page, {"prompt": "consent"})
        page = _follow_to_gatepass(browser, page)
    return page


def _follow_to_gatepass(browser: httpx.Client, reply: httpx.Response) -> httpx.Response:
    """Follow the provider's redirects, stopping at the request to gatepass's callback."""
    while reply.is_redirect:
        target = urljoin(str(reply.url), reply.headers["location"])
        reply = browser.get(target)
        if "/callback" in target:
            return reply
    return reply
