"""What the flow tests share: a memory store, a hand-moved clock, cheap passwords, limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from gatepass.errors import RateLimitedError
from gatepass.flows import GrantIssuer, TokenGrant, login
from gatepass.flows.services import PasswordHasher
from gatepass.mail.messages import Mail, MailWriter
from gatepass.store import open_store
from gatepass.store.protocols import Store
from gatepass.store.rotation import Requester
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.keyring import Keyring
from gatepass.tokens.refresh import RotationPolicy
from tests.clock import Clock

ACCESS_TTL, REFRESH_TTL, SESSION_TTL, GRACE = 900, 7 * 86400, 30 * 86400, 10
POLICY = RotationPolicy(refresh_ttl=REFRESH_TTL, grace=GRACE, access_ttl=ACCESS_TTL)
WHO = Requester(ip="203.0.113.7", user_agent="pytest")
EMAIL, PASSWORD = "ada@example.com", "correct horse battery"


class PlainPasswords:
    """The flows' ``PasswordHasher`` without Argon2: a hash is the password, marked."""

    async def check_new(self, password: str, email: str | None) -> None:
        return None

    async def hash(self, password: str) -> str:
        return f"plain:{password}"

    async def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        return stored == f"plain:{password}", False


@dataclass
class CountedLimits:
    """The flows' ``Limits``, remembering every call; refusing the scopes in ``refuse``
    (none unless a test adds them)."""

    calls: list[tuple[str, ...]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def check(self, scope: str, key: str) -> None:
        self.calls.append(("check", scope, key))
        if scope in self.refuse:
            raise RateLimitedError(retry_after=60)

    async def admit_login(self, email: str, client: str) -> None:
        self.calls.append(("admit_login", email, client))

    async def login_failed(self, email: str) -> None:
        self.calls.append(("login_failed", email))

    async def login_succeeded(self, email: str, client: str) -> None:
        self.calls.append(("login_succeeded", email, client))

    async def reset_account(self, email: str, client: str) -> None:
        self.calls.append(("reset_account", email, client))


@dataclass
class RecordingMailer:
    """The flows' ``Mailer``: the mails it was given, in order, instead of an outbox."""

    writer: MailWriter = field(default_factory=lambda: MailWriter("https://app.test"))
    sent: list[Mail] = field(default_factory=list)

    async def send(self, mail: Mail, *, now: float) -> None:
        self.sent.append(mail)

    def kinds(self) -> list[tuple[str, str]]:
        return [(m.kind, m.to) for m in self.sent]

    def token(self, kind: str) -> str:
        """The token of the last ``kind`` mail's link."""
        mail = next(m for m in reversed(self.sent) if m.kind == kind)
        assert mail.link is not None
        return parse_qs(urlsplit(mail.link).query)["token"][0]


ISSUER = GrantIssuer(
    AccessTokenIssuer("https://auth.test", "api", ACCESS_TTL),
    Keyring.from_secret("flows-test-secret-" + "x" * 40).active,
    ACCESS_TTL,
    REFRESH_TTL,
)


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = open_store("memory://")
    await opened.migrate()
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limits() -> CountedLimits:
    return CountedLimits()


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


async def sign_in(
    store: Store,
    clock: Clock,
    *,
    passwords: PasswordHasher | None = None,
    limits: CountedLimits | None = None,
    email: str = EMAIL,
    password: str = PASSWORD,
) -> TokenGrant:
    """The login flow with the test's values (plain passwords, counted limits)."""
    grant = await login(
        store,
        passwords or PlainPasswords(),
        limits or CountedLimits(),
        ISSUER,
        email=email,
        password=password,
        requester=WHO,
        session_ttl=SESSION_TTL,
        clock=clock,
    )
    assert isinstance(grant, TokenGrant)
    return grant


async def logged_in(store: Store, clock: Clock, limits: CountedLimits | None = None) -> TokenGrant:
    """A registered user's first grant (the user is created at ``clock.now``)."""
    await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    return await sign_in(store, clock, limits=limits)


async def events(store: Store) -> list[str]:
    """The audit trail, oldest first."""
    return [e.event for e in reversed(await store.list_audit_events())]
