"""Cookie transport for browsers, and the CSRF token that goes with it.

Cookies (``cookies: true`` at login): the access token in ``__Host-gatepass_access``
(HttpOnly, Secure, SameSite=Strict, Path=/), the refresh token in
``gatepass_refresh`` (HttpOnly, Secure, SameSite=Strict, Path=<auth prefix>, so
it only travels to the auth routes), and ``gatepass_csrf`` readable by the page.

CSRF: a signed double-submit token, HMAC-SHA256 of the session id under a
key derived from the server's signing key. A state-changing request
authenticated by cookie must echo it in ``X-CSRF-Token``; a cross-site page
can neither read the cookie nor forge the MAC. Compared in constant time.
"""

from __future__ import annotations

import base64
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request, Response

from gatepass.errors import CsrfError
from gatepass.jose import Key
from gatepass.settings import Settings

__all__ = [
    "ACCESS_COOKIE",
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "REFRESH_COOKIE",
    "CsrfTokens",
    "access_cookie_name",
    "clear_cookies",
    "set_cookies",
]

ACCESS_COOKIE = "__Host-gatepass_access"
REFRESH_COOKIE = "gatepass_refresh"
CSRF_COOKIE = "gatepass_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def access_cookie_name(settings: Settings) -> str:
    # Browsers refuse a __Host- cookie without Secure (plain-http development).
    return ACCESS_COOKIE if settings.cookie_secure else "gatepass_access"


class CsrfTokens:
    """Issue and check the session-bound CSRF token."""

    def __init__(self, signing_key: Key) -> None:
        material = signing_key.secret or signing_key.export_pem(private=True)
        self._key = HKDF(hashes.SHA256(), 32, salt=None, info=b"gatepass csrf v1").derive(material)

    def token(self, session_id: str) -> str:
        mac = hmac.digest(self._key, session_id.encode("utf-8"), "sha256")
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def check(self, request: Request, session_id: str) -> None:
        """Raise CsrfError unless a state-changing request carries the session's token."""
        if request.method in _SAFE_METHODS:
            return
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode("utf-8"), self.token(session_id).encode("ascii")):
            raise CsrfError()


def set_cookies(
    response: Response, settings: Settings, *, access: str, refresh: str, csrf: str
) -> None:
    response.set_cookie(
        access_cookie_name(settings),
        access,
        max_age=settings.access_ttl,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        refresh,
        max_age=settings.refresh_ttl,
        path=settings.auth_prefix,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=settings.refresh_ttl,
        path="/",
        secure=settings.cookie_secure,
        httponly=False,
        samesite="strict",
    )


def clear_cookies(response: Response, settings: Settings) -> None:
    for name, path in (
        (access_cookie_name(settings), "/"),
        (REFRESH_COOKIE, settings.auth_prefix),
        (CSRF_COOKIE, "/"),
    ):
        response.delete_cookie(
            name, path=path, secure=settings.cookie_secure, httponly=True, samesite="strict"
        )
