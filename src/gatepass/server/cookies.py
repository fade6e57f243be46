"""Cookie transport for browsers, and the CSRF token that goes with it.

Cookies (``cookies: true`` at login), all HttpOnly but the CSRF one, Secure and
SameSite=Strict:

- ``__Host-gatepass_access``: the access token, Path=/;
- ``__Secure-gatepass_refresh``: the refresh token, Path=<auth prefix>, so it
  only travels to the auth routes (a path other than / rules out ``__Host-``);
- ``__Host-gatepass_csrf``: the CSRF token, readable by the page, Path=/.

The prefixes make the browser refuse these names from a plain-http page or a
sibling subdomain, so nobody can plant one. Browsers also refuse a prefixed
cookie without Secure: with ``GATEPASS_COOKIE_SECURE=false`` (development over
plain http, never production) the names are ``gatepass_access``,
``gatepass_refresh`` and ``gatepass_csrf``. Until this release the refresh and CSRF
cookies had those plain names in every mode; they are not read any more, so a
browser signed in with them signs in again once (a bearer client is unaffected).

A sign-in with a provider keeps its handshake (``federation.handshake``,
sealed) in ``__Secure-gatepass_oidc`` (``gatepass_oidc`` over plain http):
HttpOnly, SameSite=Lax (the provider's redirect back is a cross-site
navigation, which Strict would strip it from), 10 minutes, and only sent to
that provider's callback path.

CSRF: a signed double-submit token, HMAC-SHA256 of the session id under a
key derived from the server's signing key. A state-changing request
authenticated by cookie must echo it in ``X-CSRF-Token``; a cross-site page
can neither read the cookie nor forge the MAC. Compared in constant time.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass

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
    "CookieNames",
    "CsrfTokens",
    "access_cookie_name",
    "clear_cookies",
    "clear_handshake_cookie",
    "cookie_names",
    "handshake_cookie_name",
    "set_cookies",
    "set_handshake_cookie",
]

ACCESS_COOKIE = "__Host-gatepass_access"
REFRESH_COOKIE = "__Secure-gatepass_refresh"
CSRF_COOKIE = "__Host-gatepass_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class CookieNames:
    access: str
    refresh: str
    csrf: str


_PREFIXED = CookieNames(ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE)
_PLAIN = CookieNames("gatepass_access", "gatepass_refresh", "gatepass_csrf")


def cookie_names(settings: Settings) -> CookieNames:
    # Browsers refuse a __Host-/__Secure- cookie without Secure (plain-http development).
    return _PREFIXED if settings.cookie_secure else _PLAIN


def access_cookie_name(settings: Settings) -> str:
    return cookie_names(settings).access


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
    names = cookie_names(settings)
    set_access_cookie(response, settings, access)
    _set(response, settings, names.refresh, refresh, settings.refresh_ttl, settings.auth_prefix)
    _set(response, settings, names.csrf, csrf, settings.refresh_ttl, "/", httponly=False)


def set_access_cookie(response: Response, settings: Settings, access: str) -> None:
    """The access token's cookie alone (a re-authentication keeps the refresh token)."""
    _set(response, settings, cookie_names(settings).access, access, settings.access_ttl, "/")


def _set(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    max_age: int,
    path: str,
    *,
    httponly: bool = True,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=settings.cookie_secure,
        httponly=httponly,
        samesite="strict",
    )


def clear_cookies(response: Response, settings: Settings) -> None:
    names = cookie_names(settings)
    for name, path in (
        (names.access, "/"),
        (names.refresh, settings.auth_prefix),
        (names.csrf, "/"),
    ):
        response.delete_cookie(
            name, path=path, secure=settings.cookie_secure, httponly=True, samesite="strict"
        )


def handshake_cookie_name(settings: Settings) -> str:
    return "__Secure-gatepass_oidc" if settings.cookie_secure else "gatepass_oidc"


def set_handshake_cookie(
    response: Response, settings: Settings, *, value: str, path: str, max_age: int
) -> None:
    response.set_cookie(
        handshake_cookie_name(settings),
        value,
        max_age=max_age,
        path=path,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_handshake_cookie(response: Response, settings: Settings, *, path: str) -> None:
    response.delete_cookie(
        handshake_cookie_name(settings),
        path=path,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
