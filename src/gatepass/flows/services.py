"""What the flows need from the running server besides the store: small protocols.

``gatepass.server.passwords.Passwords``, ``gatepass.server.ratelimit.RateLimits``
and ``gatepass.server.mailer.Mailer`` are the implementations; a test may pass
anything with these methods.
"""

from __future__ import annotations

from typing import Protocol

from gatepass.mail.messages import Mail, MailWriter

__all__ = ["Limits", "Mailer", "PasswordHasher"]


class PasswordHasher(Protocol):
    async def check_new(self, password: str, email: str | None) -> None:
        """Refuse a weak chosen password (``WeakPasswordError``)."""
        ...

    async def hash(self, password: str) -> str: ...

    async def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        """``(matches, needs_rehash)``; ``stored=None`` still costs one hash."""
        ...


class Limits(Protocol):
    async def check(self, scope: str, key: str) -> None:
        """Count one attempt; ``RateLimitedError`` when over a limit."""
        ...

    async def admit_login(self, email: str, client: str) -> None:
        """Before a password is checked: refuse, delay, or let through."""
        ...

    async def login_failed(self, email: str) -> None: ...

    async def login_succeeded(self, email: str, client: str) -> None: ...


class Mailer(Protocol):
    #: Writes each mail, its links under the configured app URL.
    writer: MailWriter

    async def send(self, mail: Mail, *, now: float) -> None:
        """Queue ``mail`` to be sent after the request (never sent inside it)."""
        ...
