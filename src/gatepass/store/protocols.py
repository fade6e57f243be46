"""The storage boundary of the auth server: small protocols, one per concept.

Every method is async. Times are epoch seconds passed in by the caller (the
store never reads the clock), so the token logic stays testable. Errors:

- the database is unreachable or failing -> ``ServiceUnavailableError``
  (never a raw driver exception);
- ``create_user`` or ``update_user`` with a taken email -> ``UserExistsError``;
- updating a row that does not exist -> ``NotFoundError``;
- a list ``limit`` below 1 or a negative ``offset`` -> ``ValueError``; a
  ``limit`` above ``MAX_PAGE`` (1000) returns at most ``MAX_PAGE`` rows.

Backends: ``MemoryStore`` (unit tests, one process) and ``SqlStore``
(SQLite or PostgreSQL); ``open_store(database_url)`` picks one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from gatepass.store.account_tokens import AccountTokenStore
from gatepass.store.factors import FactorStore
from gatepass.store.identities import IdentityStore
from gatepass.store.outbox import OutboxStore
from gatepass.store.passkeys import PasskeyStore
from gatepass.store.records import (
    AuditEvent,
    KeyStatus,
    RefreshToken,
    Revocation,
    RevocationKind,
    Session,
    SigningKey,
    User,
)
from gatepass.store.rotation import Decide, Requester, RotationResult

__all__ = [
    "AuditStore",
    "KeyStore",
    "RevocationStore",
    "SessionStore",
    "Store",
    "TokenStore",
    "UserStore",
]


class UserStore(Protocol):
    async def create_user(
        self,
        email: str,
        password_hash: str,
        *,
        now: float,
        role: str = "user",
        email_verified: bool = False,
    ) -> User:
        """Insert a user (email normalised, id a fresh uuid4 hex); a taken email
        -> ``UserExistsError``."""
        ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def get_user_by_email(self, email: str) -> User | None:
        """Look up by email; the argument is normalised first."""
        ...

    async def update_user(
        self,
        user_id: str,
        *,
        password_hash: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
        email: str | None = None,
        email_verified: bool | None = None,
    ) -> User:
        """Change the given fields (None leaves a field alone); returns the new row.

        ``email`` is normalised as ``create_user`` does (``InvalidEmailError``
        for one that is not an address); an address another user holds ->
        ``UserExistsError``, also when two updates race for it (the unique
        index decides). A missing user -> ``NotFoundError``.
        """
        ...

    async def delete_user(self, user_id: str, *, now: float) -> bool:
        """Delete the user and what is personal about them, in ONE transaction;
        True when there was a user to delete.

        Gone with the user: their sessions, the sessions' refresh tokens and
        their account tokens, their second factors (TOTP and recovery codes,
        passkeys and the challenges of their ceremonies), their federated
        identities,
        and the outbox's sent or failed mails to their
        address (pending ones stay: the caller queues a last notice to it).
        Their audit events stay (event, time, user and session id) with the
        ip, user agent and detail scrubbed (None, None, ``{}``); so do those
        naming one of their sessions. Revocations are not touched: the caller
        revokes first, and the entries expire on their own. ``now`` is the
        moment of the deletion (the caller's clock, as for every write).
        """
        ...

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        """Oldest first."""
        ...


class SessionStore(Protocol):
    async def create_session(
        self,
        user_id: str,
        *,
        now: float,
        expires_at: float,
        user_agent: str | None = None,
        ip: str | None = None,
    ) -> Session:
        """Insert a session with a fresh id (>= 128 random bits, urlsafe)."""
        ...

    async def start_session(
        self,
        user_id: str,
        token_hash: str,
        *,
        now: float,
        expires_at: float,
        refresh_expires_at: float,
        user_agent: str | None = None,
        ip: str | None = None,
        amr: tuple[str, ...] = (),
    ) -> tuple[Session, RefreshToken]:
        """A login, in ONE transaction: the session (as ``create_session``, with
        ``amr``: how the login went, kept for the tokens of its refreshes), its
        first refresh token (as ``add_refresh_token``) and the ``login`` audit
        row (with the session's ip and user agent). On any failure none exists.
        """
        ...

    async def get_session(self, session_id: str) -> Session | None: ...

    async def reauthenticate_session(
        self, session_id: str, *, now: float, amr: tuple[str, ...]
    ) -> Session | None:
        """Record that the person of a live session proved it again at ``now`` (its
        ``reauthenticated_at``) with ``amr``; the session as it now is, or None when
        it is missing, revoked or expired (then nothing changed)."""
        ...

    async def touch_session(self, session_id: str, *, now: float) -> None:
        """Set ``last_used_at``; a missing session is ignored."""
        ...

    async def list_active_sessions(self, user_id: str, *, now: float) -> list[Session]:
        """Sessions neither revoked nor expired, most recently used first."""
        ...

    async def list_sessions(
        self,
        *,
        now: float,
        user_id: str | None = None,
        active_only: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Session]:
        """Sessions of every user (or one), most recently used first, paged.

        ``active_only`` keeps the live ones (neither revoked nor expired at ``now``).
        """
        ...

    async def revoke_session(
        self,
        session_id: str,
        *,
        now: float,
        reason: str,
        denylist_until: float | None = None,
    ) -> bool:
        """Revoke one session; True when it was live (not already revoked).

        When it was live and ``denylist_until`` is given, a ``session``
        revocation (subject = session id, not_before = now) is added in the
        same transaction, so access tokens of the session die with it.
        """
        ...

    async def revoke_user_sessions(self, user_id: str, *, now: float, reason: str) -> list[str]:
        """Revoke every live session of the user; returns their ids."""
        ...


class TokenStore(Protocol):
    async def add_refresh_token(
        self, session_id: str, token_hash: str, *, now: float, expires_at: float
    ) -> RefreshToken:
        """Insert a refresh token by its hash (the raw token is never stored)."""
        ...

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None: ...

    async def get_refresh_token_by_id(self, token_id: str) -> RefreshToken | None:
        """Look up by row id (the ``refresh_id`` a refresh answer reports)."""
        ...

    async def rotate_refresh(
        self, token_hash: str, now: float, decide: Decide, *, audit: Requester | None = None
    ) -> RotationResult:
        """In ONE transaction: lock the token row and its session, read the
        session's user, call ``decide(token, session, now)`` (None for a missing
        row), pass it through ``for_account(decision, user)`` and apply it.

        - ``Rotate``: spend the token (spent_at, successor_id, successor_sealed),
          insert the successor in the same session, touch the session;
        - ``Replay``: change nothing, return the existing successor and sealed bytes;
        - ``RevokeSession``: revoke the session (and denylist it when asked);
        - ``Reject``: change nothing.

        With ``audit``, the same transaction writes the audit row
        ``audit_event(decision)`` names (user, session, ip, user agent, detail);
        if anything fails, nothing of it is kept and the token is as it was.
        Concurrent calls on one token serialise: exactly one can ``Rotate``.
        """
        ...


class RevocationStore(Protocol):
    async def add_revocation(
        self,
        kind: RevocationKind,
        subject: str,
        *,
        not_before: float,
        now: float,
        expires_at: float,
    ) -> Revocation:
        """Append an entry. Entries become visible in ``seq`` order (inserts are
        serialised), so a reader that saw ``seq`` n never later finds one below n."""
        ...

    async def revocations_since(self, seq: int, *, limit: int = 1000) -> list[Revocation]:
        """The feed: entries with ``seq`` greater than the cursor, in seq order."""
        ...

    async def live_revocations(self, *, now: float) -> list[Revocation]:
        """Entries not yet expired, in seq order (cache warm-up)."""
        ...

    async def purge_revocations(self, *, now: float) -> int:
        """Delete entries whose ``expires_at`` has passed; returns how many."""
        ...


class KeyStore(Protocol):
    async def add_signing_key(self, key: SigningKey) -> None:
        """Insert a key; a taken kid -> ``InvalidKeyError``."""
        ...

    async def add_first_signing_key(self, key: SigningKey) -> bool:
        """Insert ``key`` only if no key is ``active``; True when it was inserted.

        Check and insert are one transaction serialised across processes, so
        servers starting together on an empty database end with one active key.
        """
        ...

    async def list_signing_keys(
        self, *, statuses: Collection[KeyStatus] | None = None
    ) -> list[SigningKey]:
        """Oldest first, optionally only the given statuses."""
        ...

    async def set_signing_key_status(
        self, kid: str, status: KeyStatus, *, retire_at: float | None = None
    ) -> SigningKey:
        """Change a key's status (and ``retire_at`` when given)."""
        ...

    async def replace_private_jwk(self, kid: str, *, expected: str, private_jwk: str) -> bool:
        """Store ``private_jwk`` for ``kid`` if its stored value still is ``expected``.

        True when replaced. A compare-and-set, so servers sealing the same plain
        row at the same moment keep one result (see ``gatepass.kek``).
        """
        ...


class AuditStore(Protocol):
    async def add_audit_event(
        self,
        event: str,
        *,
        at: float,
        user_id: str | None = None,
        session_id: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        """Record an event; ``detail`` must be JSON-serialisable."""
        ...

    async def list_audit_events(
        self, *, limit: int = 100, user_id: str | None = None
    ) -> list[AuditEvent]:
        """Newest first."""
        ...


class Store(
    UserStore,
    SessionStore,
    TokenStore,
    RevocationStore,
    KeyStore,
    AuditStore,
    AccountTokenStore,
    OutboxStore,
    FactorStore,
    IdentityStore,
    PasskeyStore,
    Protocol,
):
    """Everything the auth server needs, plus the lifecycle."""

    async def migrate(self) -> None:
        """Bring the schema to the latest version (idempotent)."""
        ...

    async def health(self) -> None:
        """Return when the database answers, else ``ServiceUnavailableError``."""
        ...

    async def close(self) -> None: ...
