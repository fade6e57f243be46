"""What the passkey flow tests share: the relying party, and a user with a passkey
made by the software authenticator (tests/authenticator.py)."""

from __future__ import annotations

from dataclasses import dataclass

from gatepass.flows import passkeys
from gatepass.store.passkeys import Passkey
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.tokens.passkey import RelyingParty
from tests.authenticator import SoftAuthenticator
from tests.clock import Clock
from tests.flows.conftest import EMAIL, PASSWORD, WHO

RP = RelyingParty("auth.test", "gatepass tests", ("https://auth.test", "https://app.auth.test"))


@dataclass(frozen=True)
class WithPasskey:
    user: User
    authenticator: SoftAuthenticator
    passkey: Passkey


async def add_passkey(
    store: Store, clock: Clock, user: User, authenticator: SoftAuthenticator, name: str = "Laptop"
) -> Passkey:
    options = await passkeys.registration_options(store, RP, user_id=user.id, clock=clock)
    return await passkeys.register_passkey(
        store,
        RP,
        user_id=user.id,
        credential=authenticator.create(options),
        name=name,
        requester=WHO,
        clock=clock,
    )


async def with_passkey(
    store: Store, clock: Clock, *, email: str = EMAIL, backup_eligible: bool = False
) -> WithPasskey:
    """A user (``email``/``PASSWORD``) with one passkey, registered at ``clock.now``."""
    user = await store.create_user(email, f"plain:{PASSWORD}", now=clock())
    authenticator = SoftAuthenticator(backup_eligible=backup_eligible)
    return WithPasskey(user, authenticator, await add_passkey(store, clock, user, authenticator))
