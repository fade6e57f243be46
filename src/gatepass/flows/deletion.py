"""Deleting an account: the password, then the user and their personal data are gone.

In order: the password is checked (a wrong one is a failed login); every
session is revoked and the user's access tokens denylisted (as logout
everywhere); the store deletes the user with their sessions, refresh and
one-time tokens, second factors and passkeys, scrubs their audit rows of
ip, user agent and detail (the events stay, under the user's random id,
with no personal data) and drops the mails already sent to them; a last
mail tells the address it happened.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.flows.reauth import confirm_password
from gatepass.flows.services import Limits, Mailer, PasswordHasher
from gatepass.revocation.revoke import revoke_user
from gatepass.store.protocols import Store
from gatepass.store.rotation import Requester

__all__ = ["delete_account"]


async def delete_account(
    store: Store,
    passwords: PasswordHasher,
    limits: Limits,
    mailer: Mailer,
    *,
    user_id: str,
    password: str,
    requester: Requester,
    access_ttl: int,
    clock: Clock,
) -> None:
    """Delete the caller's account."""
    user = await confirm_password(
        store,
        passwords,
        limits,
        user_id=user_id,
        password=password,
        requester=requester,
        clock=clock,
    )
    now = clock()
    await revoke_user(store, user.id, now, access_ttl, "account_deleted")
    await store.delete_user(user.id, now=now)
    await store.add_audit_event("account_deleted", at=now, user_id=user.id)
    await mailer.send(mailer.writer.account_deleted(user.email), now=now)
