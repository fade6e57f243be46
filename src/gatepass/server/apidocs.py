"""The API documentation pages: Swagger UI at ``/docs``, ReDoc at ``/redoc``.

Everything they load comes from the package (``gatepass/web/docs`` and the
pinned copies in ``gatepass/web/vendor``, see its README), never from a CDN,
and they run under ``DOCS_CONTENT_SECURITY_POLICY``: scripts from this origin
only and no inline script (FastAPI's own pages start with an inline one), so a
script on the auth server's origin, where it could read the CSRF cookie and
call ``/auth/refresh``, is only ever one gatepass shipped.

``GATEPASS_API_DOCS`` turns the pages and ``/openapi.json`` on or off (on in
development, off in production unless enabled by name).
"""

from __future__ import annotations

from importlib import resources
from string import Template
from typing import Final

from fastapi import APIRouter, FastAPI, Response

from gatepass.errors import NotFoundError
from gatepass.server.jsonbody import JsonRoute

__all__ = ["DOCS_CONTENT_SECURITY_POLICY", "OPENAPI_PATH", "mount_api_docs"]

OPENAPI_PATH: Final = "/openapi.json"
# Swagger UI and ReDoc set inline style attributes, and ReDoc runs its search
# in a Worker made from a blob: styles may be inline, scripts never.
DOCS_CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_JS: Final = "text/javascript; charset=utf-8"
# URL name -> (file under gatepass.web, media type).
_ASSETS: Final = {
    "swagger-ui-bundle.js": ("vendor/swagger-ui/swagger-ui-bundle.js", _JS),
    "swagger-ui.css": ("vendor/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
    "redoc.standalone.js": ("vendor/redoc/redoc.standalone.js", _JS),
    "swagger-init.js": ("docs/swagger-init.js", _JS),
    "redoc-init.js": ("docs/redoc-init.js", _JS),
}
_SWAGGER_CSS: Final = '\n  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">'
# URL -> what docs/page.html is filled with (constants: nothing from a request).
_PAGES: Final = {
    "/docs": {
        "title": "Swagger UI",
        "stylesheet": _SWAGGER_CSS,
        "root": "swagger-ui",
        "library": "swagger-ui-bundle.js",
        "init": "swagger-init.js",
    },
    "/redoc": {
        "title": "ReDoc",
        "stylesheet": "",
        "root": "redoc",
        "library": "redoc.standalone.js",
        "init": "redoc-init.js",
    },
}
_HEADERS: Final = {
    "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


def mount_api_docs(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc`` and their assets (the caller decides whether to)."""
    app.include_router(_router(), include_in_schema=False)


def _read(path: str) -> bytes:
    return resources.files("gatepass.web").joinpath(path).read_bytes()


def _router() -> APIRouter:
    router = APIRouter(route_class=JsonRoute)
    template = Template(_read("docs/page.html").decode("utf-8"))
    pages = {
        url: template.substitute(fields, spec=OPENAPI_PATH).encode("utf-8")
        for url, fields in _PAGES.items()
    }
    assets = {name: (_read(path), media) for name, (path, media) in _ASSETS.items()}

    def page(url: str) -> Response:
        return Response(pages[url], media_type="text/html; charset=utf-8", headers=_HEADERS)

    @router.get("/docs")
    async def swagger_ui() -> Response:
        return page("/docs")

    @router.get("/redoc")
    async def redoc() -> Response:
        return page("/redoc")

    @router.get("/docs/assets/{name}")
    async def asset(name: str) -> Response:
        if name not in assets:
            raise NotFoundError()
        content, media = assets[name]
        # The same bytes for the whole release: a browser may keep them an hour.
        headers = {**_HEADERS, "Cache-Control": "public, max-age=3600"}
        return Response(content, media_type=media, headers=headers)

    return router
