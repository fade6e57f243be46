"""What the running server holds: settings, store, keyring and the token rules."""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request

from gatepass.errors import ServiceUnavailableError
from gatepass.server.cookies import CsrfTokens
from gatepass.server.passwords import Passwords
from gatepass.server.ratelimit import RateLimits
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.tokens.access import AccessTokenDecoder, AccessTokenIssuer
from gatepass.tokens.keyring import Keyring, new_signing_record
from gatepass.tokens.refresh import RotationPolicy

__all__ = ["ServerState", "get_state", "load_keyring"]


@dataclass(frozen=True, slots=True)
class ServerState:
    settings: Settings
    store: Store
    keyring: Keyring
    access: AccessTokenIssuer
    verifier: AccessTokenDecoder
    rotation: RotationPolicy
    passwords: Passwords
    limits: RateLimits
    csrf: CsrfTokens


async def load_keyring(settings: Settings, store: Store) -> Keyring:
    """HS256 from the configured secret, else the stored keys (created on first start)."""
    if settings.jwt_secret is not None:
        return Keyring.from_secret(settings.jwt_secret.get())
    kek = settings.key_encryption_key.get() if settings.key_encryption_key else None
    now = time.time()
    records = await store.list_signing_keys(statuses=("active", "retiring"))
    if not any(r.status == "active" for r in records):
        _, record = new_signing_record(now, kek)
        await store.add_signing_key(record)
        records = [*records, record]
    return Keyring.from_records(records, kek, now)


def get_state(request: Request) -> ServerState:
    state = getattr(request.app.state, "gatepass", None)
    if not isinstance(state, ServerState):
        raise ServiceUnavailableError("The server is starting, try again shortly")
    return state
