"""The web console: its static files, its config, and the refresh-token replay demonstration.

``GET /`` serves ``index.html``; the pages the account mails link to
(``/verify-email``, ``/reset-password``, ``/confirm-email``,
``/forgot-password``, named in ``gatepass.mail.messages``) and the page of a
failed sign-in with a provider (``/oidc-error?error=<code>``) serve
``account.html``; ``/console/<file>`` the other files of ``gatepass.web`` (an
allow-list, read once at start); ``/console/config.json`` what the pages need
to know (nothing secret). With ``GATEPASS_CONSOLE=false`` none of it exists.

``POST /console/replay {"refresh_id"}`` shows reuse detection for real: the
flow is ``gatepass.flows.replay`` (only the caller's own session, only spent
tokens); for cookie callers the CSRF header is required (``current_principal``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gatepass import flows
from gatepass.flows.replay import GraceReplay
from gatepass.mail.messages import CONFIRM_EMAIL_PAGE, FORGOT_PAGE, RESET_PAGE, VERIFY_PAGE
from gatepass.server.auth import Principal, current_principal, session_of
from gatepass.server.cookies import CSRF_HEADER, cookie_names
from gatepass.server.jsonbody import JsonRoute
from gatepass.server.requester import requester_of
from gatepass.server.routes_oidc import ERROR_PAGE
from gatepass.server.state import ServerState, get_state
from gatepass.settings import Settings

__all__ = ["ACCOUNT_PAGES", "CONTENT_SECURITY_POLICY", "REPLAY_PATH", "mount_console"]

REPLAY_PATH: Final = "/console/replay"
# Everything from this origin, nothing inline, no frames: the console needs no more.
# data: images are the TOTP set-up's QR code (the server's SVG in an <img>, which
# runs no script and loads nothing).
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The pages a mail's link opens, at the server root; account.html shows each.
ACCOUNT_PAGES: Final = tuple(
    f"/{page}" for page in (VERIFY_PAGE, RESET_PAGE, CONFIRM_EMAIL_PAGE, FORGOT_PAGE)
)
_HTML: Final = "text/html; charset=utf-8"
_JS: Final = "text/javascript; charset=utf-8"
_PAGES: Final = frozenset({"index.html", "account.html"})
_TYPES: Final = {
    "index.html": _HTML,
    "account.html": _HTML,
    "app.js": _JS,
    "console-ui.js": _JS,
    "token-view.js": _JS,
    "sessions-view.js": _JS,
    "account-screens.js": _JS,
    "totp-screens.js": _JS,
    "mfa-step.js": _JS,
    "reauth-prompt.js": _JS,
    "federation-view.js": _JS,
    "passkey-screens.js": _JS,
    "account-pages.js": _JS,
    "gatepass-client.js": _JS,
    "gatepass-http.js": _JS,
    "gatepass-account.js": _JS,
    "gatepass-mfa.js": _JS,
    "gatepass-reauth.js": _JS,
    "gatepass-passkeys.js": _JS,
    "style.css": "text/css; charset=utf-8",
    "account.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

State = Annotated[ServerState, Depends(get_state)]
Caller = Annotated[Principal, Depends(current_principal)]


class ReplayBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    refresh_id: str = Field(pattern=r"^[0-9a-f]{32}$")


def mount_console(app: FastAPI, settings: Settings) -> None:
    """Add the console's routes to ``app`` unless ``settings.console`` is off."""
    if settings.console:
        app.include_router(_router(settings, _load_files()), tags=["console"])


def _load_files() -> dict[str, bytes]:
    package = resources.files("gatepass.web")
    return {name: package.joinpath(name).read_bytes() for name in _TYPES}


def _config(settings: Settings) -> dict[str, Any]:
    return {
        "auth_prefix": settings.auth_prefix,
        "issuer": settings.issuer,
        "access_ttl": settings.access_ttl,
        "refresh_ttl": settings.refresh_ttl,
        "refresh_grace": settings.refresh_grace,
        "session_ttl": settings.session_ttl,
        "registration_open": settings.registration_open,
        "cookies": dataclasses.asdict(cookie_names(settings)),
        "csrf_header": CSRF_HEADER,
        "replay_path": REPLAY_PATH,
        # The sign-in providers' names and labels only (never an id or a secret).
        "providers": [{"name": p.name, "label": p.label} for p in settings.providers],
    }


def _static(asset: Callable[[str], Response], name: str) -> Callable[[], Awaitable[Response]]:
    async def static() -> Response:
        return asset(name)

    return static


def _router(settings: Settings, files: dict[str, bytes]) -> APIRouter:
    router = APIRouter(route_class=JsonRoute)
    config = _config(settings)

    def asset(name: str) -> Response:
        return Response(files[name], media_type=_TYPES[name], headers=_HEADERS)

    @router.get("/", include_in_schema=False)
    async def index() -> Response:
        return asset("index.html")

    for path in (*ACCOUNT_PAGES, ERROR_PAGE):
        router.add_api_route(
            path, _static(asset, "account.html"), methods=["GET"], include_in_schema=False
        )

    @router.get("/console/config.json")
    async def console_config() -> dict[str, Any]:
        return config

    # One route per file, not /console/{name}: a GET of /console/replay (POST
    # only) must be a 405 with Allow, which a catch-all GET would turn into a 404.
    for name in sorted(files.keys() - _PAGES):
        router.add_api_route(
            f"/console/{name}", _static(asset, name), methods=["GET"], include_in_schema=False
        )

    @router.post(REPLAY_PATH)
    async def replay(
        body: ReplayBody, request: Request, caller: Caller, state: State
    ) -> dict[str, Any]:
        """Present a spent refresh token of the caller's own session again (a demonstration)."""
        outcome = await flows.replay(
            state.store,
            state.rotation,
            refresh_id=body.refresh_id,
            session_id=session_of(caller),
            requester=requester_of(request, state),
            clock=state.clock,
        )
        if isinstance(outcome, GraceReplay):
            return {
                "decision": "grace_replay",
                "session_revoked": False,
                "refresh_id": outcome.refresh_id,
                "retry_after": outcome.retry_after,
            }
        return {
            "decision": "reuse_detected",
            "session_revoked": True,
            "refresh_id": outcome.refresh_id,
            "session_id": outcome.session_id,
        }

    return router
