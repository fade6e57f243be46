"""A verifier in a browser on another origin: jose fetches gatepass's JWKS through CORS.

The page comes from one loopback port, the auth server listens on another, so
every request from the page to the server is cross-origin and chromium
enforces CORS on it. jose's browser build (``createRemoteJWKSet`` +
``jwtVerify``) verifies a real access token there; a request that needs a
preflight (a non-safelisted header) reaches the discovery document; and, as a
control that the browser really enforces CORS, a route without CORS headers
cannot be read.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gatepass.jose import decode_unverified
from tests.interop.conftest import AUDIENCE, in_process, login, node_modules
from tests.protect.helpers import running
from tests.web.conftest import browser, open_tab, playwright  # noqa: F401 - fixtures

VERIFY = """async ([jwksUri, issuer, audience, token, health]) => {
  const { createRemoteJWKSet, jwtVerify } = await import("/jose/index.js");
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(jwksUri)), {
    issuer, audience, typ: "at+jwt",
  });
  const metadata = await fetch(issuer + "/.well-known/oauth-authorization-server", {
    headers: { "If-None-Match": '"x"' },  // not CORS-safelisted: a preflight first
  });
  let control;
  try {
    await (await fetch(health)).json();
    control = "read";
  } catch (error) {
    control = error.name;
  }
  return { sub: payload.sub, metadata: metadata.status, control };
}"""


def _page_origin() -> Starlette:
    async def blank(_: Any) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>another origin</title>")

    jose = node_modules() / "jose" / "dist" / "webapi"  # jose's browser build
    return Starlette(routes=[Route("/", blank), Mount("/jose", StaticFiles(directory=jose))])


def test_jose_in_a_browser_on_another_origin_verifies_a_token(
    browser: Browser,  # noqa: F811 - the fixture imported above
) -> None:
    with in_process(signing_alg="ES256") as auth, running(_page_origin()) as page_origin:
        tokens = login(auth)
        with open_tab(browser, page_origin) as tab:
            tab.page.goto(f"{page_origin}/")
            seen = tab.page.evaluate(
                VERIFY,
                [
                    f"{auth}/.well-known/jwks.json",
                    auth,
                    AUDIENCE,
                    tokens["access_token"],
                    f"{auth}/health",
                ],
            )
    assert seen["metadata"] == 200
    assert seen["control"] == "TypeError"  # /health sends no CORS headers: unreadable
    assert seen["sub"] == decode_unverified(tokens["access_token"])[1]["sub"]
