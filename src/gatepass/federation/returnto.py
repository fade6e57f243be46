"""Where a sign-in may send the browser back to: the ``return_to`` allow-list (pure).

Allowed: a path on this server (``/...``, never ``//host`` or ``/\\host``,
which browsers read as another host), or an absolute URL whose origin is the
app's (``GATEPASS_APP_URL``, else the issuer's) or one of
``GATEPASS_OIDC_RETURN_ORIGINS``. Anything else (another origin, another
scheme, credentials in the URL, control characters, over 2048 characters)
is ``ReturnToRefusedError``: an open redirect is where a phishing link starts.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final
from urllib.parse import urlsplit

from gatepass.errors import ReturnToRefusedError

__all__ = ["DEFAULT_RETURN_TO", "checked_return_to", "origin_of"]

DEFAULT_RETURN_TO: Final = "/"
_MAX: Final = 2048
_UNSAFE: Final = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute http(s) URL, lower-cased ('' if not one)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def checked_return_to(value: str | None, *, origins: Collection[str]) -> str:
    """``value`` if the browser may be sent there after the sign-in, else refused."""
    if value is None or value == "":
        return DEFAULT_RETURN_TO
    if len(value) > _MAX or _UNSAFE.search(value):
        raise ReturnToRefusedError()
    if value.startswith("/"):
        if value.startswith("//"):
            raise ReturnToRefusedError()
        return value
    if origin_of(value) in {o.lower().rstrip("/") for o in origins} and origin_of(value):
        return value
    raise ReturnToRefusedError()
