"""Changing a password while signed in: the current one first, then the new one.

A wrong current password is a failed login (``reauth.confirm_password``).
Once changed, every OTHER session of the user is revoked and its access tokens
denylisted; the caller's session stays. Outstanding reset and confirmation
links die (their stamp held the old hash), and a notice goes to the address.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.flows.logout import end_sessions
from gatepass.flows.reauth import confirm_password
from gatepass.flows.services import Limits, Mailer, PasswordHasher
from gatepass.store.protocols import Store
from gatepass.store.rotation import Requester

__all__ = ["change_password"]


async def change_password(
    store: Store,
    passwords: PasswordHasher,
    limits: Limits,
    mailer: Mailer,
    *,
    user_id: str,
    session_id: str,
    current_password: str,
    new_password: str,
    requester: Requester,
    access_ttl: int,
    clock: Clock,
) -> list[str]:
    """Set ``new_password``; returns the ids of the other sessions it ended."""
    user = await confirm_password(
        store,
        passwords,
        limits,
        user_id=user_id,
        password=current_password,
        requester=requester,
        clock=clock,
    )
    await passwords.check_new(new_password, user.email)
    hashed = await passwords.hash(new_password)
    user = await store.update_user(user.id, password_hash=hashed)
    await store.revoke_account_tokens(user.id)
    now = clock()
    ended = await end_sessions(
        store, user.id, reason="password_changed", access_ttl=access_ttl, now=now, keep=session_id
    )
    await store.add_audit_event(
        "password_changed",
        at=now,
        user_id=user.id,
        session_id=session_id,
        ip=requester.ip,
        user_agent=requester.user_agent,
    )
    await mailer.send(mailer.writer.password_changed(user.email), now=now)
    return ended
