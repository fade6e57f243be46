"""The security headers on every response, whoever writes it.

The app adds them in ``gatepass.server.middleware.SecurityHeaders``; the 431
that ``gatepass.headlimit`` writes before any app runs carries them too. A
module of its own so that the uvicorn workers can import it without the app.
"""

from __future__ import annotations

__all__ = ["SECURITY_HEADERS"]

SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
