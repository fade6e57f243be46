"""A forgotten password: a mailed link, then a new password (OWASP's Forgot Password sheet).

``request_password_reset`` runs after the route has answered 202 (the answer
and its timing are the same for every address); it mails a link only to an
address that has a live account, at most a few per address per window.
``reset_password`` spends the link and sets the new password, then:

- every session of the user is revoked and each one's access tokens
  denylisted (``logout.end_sessions``: it reaches every resource server as
  a logout does), and the user is NOT signed in by the reset: they log in
  with the new password, at once (the denylist names the old sessions, so
  the new one's tokens pass even within the same second);
- every other one-time token of the user dies (their stamp held the old
  password hash) and the address counts as verified (the link proved it);
  when it was not verified before, the account's provider identities are
  unlinked (``flows.federated.drop_unproved_identities``: whoever linked
  them never proved the address, and the mailbox's owner takes the account);
- the account's lockout counters are cleared for this client;
- a "your password was changed" mail goes to the address.

A new password the policy refuses (``WeakPasswordError``) costs no link: the
token is kept as it was, so the user tries another password from the same page.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import RateLimitedError, WeakPasswordError
from gatepass.flows.federated import drop_unproved_identities
from gatepass.flows.links import account_of, redeem_link, send_link
from gatepass.flows.logout import end_sessions
from gatepass.flows.services import Limits, Mailer, PasswordHasher
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester

__all__ = ["request_password_reset", "reset_password"]


async def request_password_reset(
    store: Store, mailer: Mailer, limits: Limits, *, email: str, clock: Clock
) -> bool:
    """Mail a reset link if ``email`` is a live account's; whether one was sent (not
    when the address had its share of mails: nobody is told, the answer was given)."""
    user = await account_of(store, email)
    if user is None:
        return False
    now = clock()
    try:
        await send_link(
            store,
            mailer,
            limits,
            user=user,
            purpose="reset_password",
            to=user.email,
            write=mailer.writer.reset_password,
            now=now,
        )
    except RateLimitedError:
        return False
    await store.add_audit_event("password_reset_requested", at=now, user_id=user.id)
    return True


async def reset_password(
    store: Store,
    passwords: PasswordHasher,
    limits: Limits,
    mailer: Mailer,
    *,
    presented: str,
    password: str,
    requester: Requester,
    access_ttl: int,
    clock: Clock,
) -> User:
    """Spend a reset link and set ``password``: the user, every session ended."""
    now = clock()
    record, user = await redeem_link(store, "reset_password", presented, now=now)
    try:
        await passwords.check_new(password, user.email)
    except WeakPasswordError:
        await store.save_account_token(record)  # the link stays usable
        raise
    hashed = await passwords.hash(password)
    await drop_unproved_identities(store, user, now=now)
    user = await store.update_user(user.id, password_hash=hashed, email_verified=True)
    await store.revoke_account_tokens(user.id)
    await end_sessions(store, user.id, reason="password_reset", access_ttl=access_ttl, now=now)
    await limits.reset_account(user.email, requester.ip or "unknown")
    await store.add_audit_event(
        "password_reset", at=now, user_id=user.id, ip=requester.ip, user_agent=requester.user_agent
    )
    await mailer.send(mailer.writer.password_changed(user.email), now=now)
    return user
