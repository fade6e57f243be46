"""Verifying an address: a mailed link proves the user reads mail sent to it.

``send_verification`` mails a ``verify_email`` link to a user whose address is
not verified yet (registration does, and ``POST /verify-email/request``);
``request_verification`` is the same for an address typed in by someone not
signed in, and tells nobody whether it belongs to an account (the route
answers 202 before it runs). ``verify_email`` spends the link and marks the
address verified; access tokens issued from then on say
``email_verified: true``.
"""

from __future__ import annotations

import contextlib

from gatepass.clock import Clock
from gatepass.errors import InvalidEmailError, RateLimitedError
from gatepass.flows.links import redeem_link, send_link
from gatepass.flows.services import Limits, Mailer
from gatepass.identity.emails import sign_in_email
from gatepass.store.protocols import Store
from gatepass.store.records import User

__all__ = ["request_verification", "send_verification", "verify_email"]


async def send_verification(
    store: Store, mailer: Mailer, limits: Limits, *, user: User, clock: Clock
) -> bool:
    """Mail ``user`` a verification link; False (nothing sent) when already verified."""
    if user.email_verified or user.disabled:
        return False
    await send_link(
        store,
        mailer,
        limits,
        user=user,
        purpose="verify_email",
        to=user.email,
        write=mailer.writer.verify_email,
        now=clock(),
    )
    return True


async def request_verification(
    store: Store, mailer: Mailer, limits: Limits, *, email: str, clock: Clock
) -> None:
    """A new link for the account of ``email``, if there is one that needs it and the
    address has not had its share of mails (then nothing: the answer was given already)."""
    try:
        address = sign_in_email(email)
    except InvalidEmailError:
        return
    user = await store.get_user_by_email(address)
    if user is None:
        return
    with contextlib.suppress(RateLimitedError):
        await send_verification(store, mailer, limits, user=user, clock=clock)


async def verify_email(store: Store, *, presented: str, clock: Clock) -> User:
    """Spend a ``verify_email`` link: the user, now verified; ``InvalidLinkTokenError`` else."""
    now = clock()
    _, user = await redeem_link(store, "verify_email", presented, now=now)
    user = await store.update_user(user.id, email_verified=True)
    await store.add_audit_event("email_verified", at=now, user_id=user.id)
    return user
