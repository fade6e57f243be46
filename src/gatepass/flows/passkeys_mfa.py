"""A passkey as the second step of a password login.

``mfa_passkey_options``: for a live ``mfa_token`` (left as it was), a ``mfa``
challenge bound to its user, with ``allowCredentials`` the user's passkeys
(user verification preferred: the password was the first factor).
``verify_mfa_passkey``: ``mfa_login.finish_mfa`` with the assertion judged by
``passkeys_login.prove_passkey``; the session's ``amr`` is ``pwd``, ``hwk``
or ``swk`` (and ``user`` when verified), ``mfa``. A refused passkey counts
as a wrong code does: against the account's lockout (asked first), audited
``mfa_failed``, one more failure on the ``mfa_token``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatepass.clock import Clock
from gatepass.errors import InvalidPasskeyError, NotFoundError
from gatepass.flows.grant import GrantIssuer, TokenGrant
from gatepass.flows.mfa_login import finish_mfa, peek_mfa_token
from gatepass.flows.passkeys import new_ceremony
from gatepass.flows.passkeys_login import prove_passkey
from gatepass.flows.second_factor import record_failed_code
from gatepass.flows.services import Limits
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester
from gatepass.tokens import passkey as webauthn
from gatepass.tokens.passkey import RelyingParty

__all__ = ["mfa_passkey_options", "verify_mfa_passkey"]


async def mfa_passkey_options(
    store: Store, rp: RelyingParty, *, presented: str, clock: Clock
) -> dict[str, Any]:
    """The options for the second step's ``navigator.credentials.get()``;
    ``InvalidTokenError`` for a dead ``mfa_token``, ``NotFoundError`` for a user
    with no passkey."""
    now = clock()
    user = await peek_mfa_token(store, presented, now)
    allow = [p.credential_id for p in await store.list_passkeys(user.id)]
    if not allow:
        raise NotFoundError("No passkey to log in with")
    challenge = await new_ceremony(store, "mfa", user.id, now)
    return webauthn.request_options(rp, allow=allow, challenge=challenge, verify_user=False)


async def verify_mfa_passkey(
    store: Store,
    rp: RelyingParty,
    limits: Limits,
    issuer: GrantIssuer,
    *,
    presented: str,
    credential: Mapping[str, Any],
    requester: Requester,
    session_ttl: int,
    clock: Clock,
) -> tuple[TokenGrant, bool]:
    """The login's grant and whether it goes in cookies."""
    webauthn.parse_assertion(credential)  # a shape no browser sends: 422, the token kept

    async def judge(user: User, now: float) -> tuple[str, ...]:
        client = requester.ip or "unknown"
        await limits.admit_login(user.email, client)
        try:
            proven = await prove_passkey(
                store,
                rp,
                credential=credential,
                ceremony="mfa",
                user=user,
                requester=requester,
                now=now,
            )
        except InvalidPasskeyError:
            await record_failed_code(store, limits, user=user, requester=requester, now=now)
            raise
        return proven.amr

    return await finish_mfa(
        store,
        limits,
        issuer,
        presented=presented,
        second_factor=judge,
        requester=requester,
        session_ttl=session_ttl,
        clock=clock,
    )
