"""Moving an account to a new address: the password, a link to the new address, a notice to the old.

``request_email_change`` asks for the current password (a wrong one is a
failed login), then mails a confirmation link to the new address and a
notice to the old one, so the owner learns of a change they did not ask for.
When the new address already has an account nothing is sent to it and the
answer is the same (the caller learns nothing about other accounts).
``confirm_email_change`` spends the link and switches the address, which
counts as verified; every other link of the user dies with the old address.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import InvalidInputError
from gatepass.flows.links import count_mail, redeem_link, send_link
from gatepass.flows.reauth import confirm_password
from gatepass.flows.services import Limits, Mailer, PasswordHasher
from gatepass.identity.emails import normalise_email
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester

__all__ = ["confirm_email_change", "request_email_change"]


async def request_email_change(
    store: Store,
    passwords: PasswordHasher,
    limits: Limits,
    mailer: Mailer,
    *,
    user_id: str,
    new_email: str,
    password: str,
    requester: Requester,
    clock: Clock,
) -> None:
    """Mail the confirmation link (``InvalidEmailError`` for an address that is not one)."""
    address = normalise_email(new_email)  # a typo costs no password check
    user = await confirm_password(
        store,
        passwords,
        limits,
        user_id=user_id,
        password=password,
        requester=requester,
        clock=clock,
    )
    if address == user.email:
        raise InvalidInputError("That is already the address of your account")
    now = clock()
    if await store.get_user_by_email(address) is None:
        await send_link(
            store,
            mailer,
            limits,
            user=user,
            purpose="change_email",
            to=address,
            write=mailer.writer.email_change_confirm,
            now=now,
            payload=address,
        )
    else:
        await count_mail(limits, address)
    await mailer.send(mailer.writer.email_change_notice(user.email, address), now=now)
    await store.add_audit_event(
        "email_change_requested",
        at=now,
        user_id=user.id,
        ip=requester.ip,
        user_agent=requester.user_agent,
    )


async def confirm_email_change(store: Store, *, presented: str, clock: Clock) -> User:
    """Spend a ``change_email`` link: the user at the new address (``UserExistsError``
    if someone took it meanwhile; ``InvalidTokenError(mailed=True)`` for a bad link)."""
    now = clock()
    record, user = await redeem_link(store, "change_email", presented, now=now)
    if record.payload is None:  # minted with one, always; a row tampered with is no link
        raise InvalidInputError("The link holds no address")
    user = await store.update_user(user.id, email=record.payload, email_verified=True)
    await store.revoke_account_tokens(user.id)
    await store.add_audit_event("email_changed", at=now, user_id=user.id)
    return user
