"""What the running server holds: settings, store, keys, revocations, the token rules, mail,
the sealing of TOTP secrets, the sign-in providers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from gatepass.clock import Clock, system_clock
from gatepass.errors import ServiceUnavailableError
from gatepass.federation.registry import Federation
from gatepass.flows.grant import GrantIssuer
from gatepass.revocation.server_sync import ServerRevocationSync
from gatepass.server.cookies import CsrfTokens
from gatepass.server.deferred import Deferred
from gatepass.server.keys import SigningKeys
from gatepass.server.mailer import Mailer
from gatepass.server.passwords import Passwords
from gatepass.server.ratelimit import RateLimits
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.tokens.access import AccessTokenIssuer
from gatepass.tokens.keyring import Keyring
from gatepass.tokens.refresh import RotationPolicy
from gatepass.tokens.sealing import Sealer
from gatepass.tokens.verify import AccessVerifier

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
    #: Access tokens to principals (the keys from ``keys``, revocation from ``revocations``).
    verifier: AccessVerifier
    #: Queues mails for the mail worker (``mailer.writer`` writes them).
    mailer: Mailer
    #: Work a request starts and does not wait for (``deferred.later(coro)``).
    deferred: Deferred
    #: Seals TOTP secrets at rest (under the signing keys' key-encryption key).
    totp_sealer: Sealer
    #: The sign-in providers' clients (``gatepass.federation``).
    federation: Federation
    #: Seals the browser's sign-in handshake cookie (``federation.handshake``).
    handshake_sealer: Sealer
    #: "Now" for every flow, store call, token check and background task (tests step it).
    clock: Clock = system_clock

    # The current key snapshot's parts. A request that needs two of them
    # together reads ``keys.current`` once instead.
    @property
    def keyring(self) -> Keyring:
        return self.keys.current.keyring

    @property
    def csrf(self) -> CsrfTokens:
        return self.keys.current.csrf

    @property
    def grants(self) -> GrantIssuer:
        """What a login or a refresh issues its tokens with: the active key, now."""
        settings = self.settings
        return GrantIssuer(
            self.access, self.keyring.active, settings.access_ttl, settings.refresh_ttl
        )


async def get_state(request: Request) -> ServerState:
    state = getattr(request.app.state, "gatepass", None)
    if not isinstance(state, ServerState):
        raise ServiceUnavailableError("The server is starting, try again shortly")
    return state
