"""Minting and redeeming the one-time tokens that mails carry, for every account flow.

``send_link`` mints a token for a purpose, stores its hash and queues the
mail that carries it, counting one mail against the address's limit;
``redeem_link`` spends a presented token and returns it with its user, or
raises ``InvalidTokenError(mailed=True)`` (one answer for every reason: see
``gatepass.tokens.onetime``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from gatepass.errors import InvalidEmailError, InvalidTokenError
from gatepass.flows.services import Limits, Mailer
from gatepass.identity.emails import sign_in_email
from gatepass.mail.messages import Mail
from gatepass.store.account_tokens import AccountToken, AccountTokenPurpose
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.tokens import onetime

__all__ = ["account_of", "address_key", "count_mail", "redeem_link", "send_link"]


def address_key(email: str) -> str:
    """The rate-limit key of an address (a digest: the counters never hold addresses)."""
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


async def account_of(store: Store, email: str) -> User | None:
    """The live account an address typed by anyone names, or None (for what is
    no address too): the lookup of the flows that must not tell the difference."""
    try:
        address = sign_in_email(email)
    except InvalidEmailError:
        return None
    user = await store.get_user_by_email(address)
    return None if user is None or user.disabled else user


async def count_mail(limits: Limits, email: str) -> None:
    """One more mail to ``email``: ``RateLimitedError`` when it has had its share."""
    await limits.check("mail:address", address_key(email))


async def send_link(
    store: Store,
    mailer: Mailer,
    limits: Limits,
    *,
    user: User,
    purpose: AccountTokenPurpose,
    to: str,
    write: Callable[[str, onetime.IssuedToken], Mail],
    now: float,
    payload: str | None = None,
) -> None:
    """Mint a ``purpose`` token for ``user``, keep its hash and queue ``write(to, token)``."""
    await count_mail(limits, to)
    issued = onetime.mint(purpose, user, now, payload=payload)
    await store.save_account_token(issued.record)
    await mailer.send(write(to, issued), now=now)


async def redeem_link(
    store: Store, purpose: AccountTokenPurpose, presented: str, *, now: float
) -> tuple[AccountToken, User]:
    """Spend ``presented``: the token and its (live) user, or ``InvalidTokenError(mailed=True)``."""
    record = await store.consume_account_token(onetime.lookup_hash(presented), purpose, now=now)
    user = None if record is None else await store.get_user(record.user_id)
    if user is None:
        raise InvalidTokenError(mailed=True)
    return onetime.redeem(record, user), user
