"""What the running server holds: settings, store, keys, revocations and the token rules."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from gatepass.errors import ServiceUnavailableError
from gatepass.revocation.server_sync import ServerRevocationSync
from gatepass.server.cookies import CsrfTokens
from gatepass.server.keys import SigningKeys
from gatepass.server.passwords import Passwords
from gatepass.server.ratelimit import RateLimits
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.tokens.access import AccessTokenDecoder, AccessTokenIssuer
from gatepass.tokens.keyring import Keyring
from gatepass.tokens.refresh import RotationPolicy

__all__ = ["ServerState", "get_state"]


@dataclass(frozen=True, slots=True)
class ServerState:
    settings: Settings
    store: Store
    keys: SigningKeys
    access: AccessTokenIssuer
    rotation: RotationPolicy
    passwords: Passwords
    limits: RateLimits
    revocations: ServerRevocationSync
    #: What the login and refresh routes take as "now" (tests step it forward).
    clock: Callable[[], float] = time.time

    # The current key snapshot's parts. A request that needs two of them
    # together reads ``keys.current`` once instead.
    @property
    def keyring(self) -> Keyring:
        return self.keys.current.keyring

    @property
    def verifier(self) -> AccessTokenDecoder:
        return self.keys.current.verifier

    @property
    def csrf(self) -> CsrfTokens:
        return self.keys.current.csrf


async def get_state(request: Request) -> ServerState:
    state = getattr(request.app.state, "gatepass", None)
    if not isinstance(state, ServerState):
        raise ServiceUnavailableError("The server is starting, try again shortly")
    return state
