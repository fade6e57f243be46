"""Registration: an open server, a valid email and a strong password make a user.

In two steps, so the route can choose how much the answer tells:

- ``prepare_registration``: what depends only on the request (registration
  open, the address well formed, the per-IP limit, the password policy, the
  Argon2 hash). Its errors are the same for every address.
- ``create_account``: the user is created and a verification link mailed;
  a taken address is ``UserExistsError`` (the 201 / 409 of a server that
  does not require verified addresses).
- ``create_account_quietly``: the same, but a taken address is not an error:
  its owner is mailed that someone tried to register it. With
  ``GATEPASS_REQUIRE_VERIFIED_EMAIL`` the route answers 202 first and runs
  this afterwards, so the answer (body and timing) never tells whether an
  address has an account.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from gatepass.clock import Clock
from gatepass.errors import RateLimitedError, RegistrationClosedError, UserExistsError
from gatepass.flows.links import count_mail
from gatepass.flows.services import Limits, Mailer, PasswordHasher
from gatepass.flows.verification import send_verification
from gatepass.identity.emails import normalise_email
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester

__all__ = ["NewAccount", "create_account", "create_account_quietly", "prepare_registration"]


@dataclass(frozen=True, slots=True)
class NewAccount:
    """A registration that passed every check but the address being free."""

    email: str
    password_hash: str = field(repr=False)


async def prepare_registration(
    passwords: PasswordHasher,
    limits: Limits,
    *,
    email: str,
    password: str,
    requester: Requester,
    registration_open: bool,
) -> NewAccount:
    """``RegistrationClosedError``, ``InvalidEmailError``, ``RateLimitedError`` or
    ``WeakPasswordError`` (in that order), else the account to create."""
    if not registration_open:
        raise RegistrationClosedError()
    email = normalise_email(email)
    await limits.check("register:ip", requester.ip or "unknown")
    await passwords.check_new(password, email)
    return NewAccount(email, await passwords.hash(password))


async def create_account(
    store: Store, mailer: Mailer, limits: Limits, account: NewAccount, *, clock: Clock
) -> User:
    """The new user (a verification link on its way); ``UserExistsError`` for a taken address."""
    user = await store.create_user(account.email, account.password_hash, now=clock())
    with contextlib.suppress(RateLimitedError):  # the account exists: a link can come later
        await send_verification(store, mailer, limits, user=user, clock=clock)
    return user


async def create_account_quietly(
    store: Store, mailer: Mailer, limits: Limits, account: NewAccount, *, clock: Clock
) -> User | None:
    """As ``create_account``; for a taken address, None and a mail to its owner."""
    try:
        return await create_account(store, mailer, limits, account, clock=clock)
    except UserExistsError:
        pass
    with contextlib.suppress(RateLimitedError):  # the owner has had their share of mails
        await count_mail(limits, account.email)
        await mailer.send(mailer.writer.registration_attempt(account.email), now=clock())
    return None
