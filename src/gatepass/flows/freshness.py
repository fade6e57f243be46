"""A recent login before a sensitive change, or a fresh proof in the same request.

The auth server's own sensitive changes (the password, the address, deleting
the account, the second factors) need the session's login, or its last
re-authentication, within ``GATEPASS_REAUTH_MAX_AGE`` seconds
(``gatepass.stepup.login_is_recent``, the rule ``gatepass.protect``'s
``max_age`` uses). An older login may still make the change when the request
itself carries the factor that stands in for a login: a current TOTP code
when the user has TOTP on (a stolen session and a phished password still
lack it), the password otherwise. A change whose own flow checks that factor
anyway (the password change takes the current password; turning TOTP off
takes a code) names it in ``checked``: it is not asked twice. Without it:
``InsufficientUserAuthenticationError`` with ``max_age``, which the routes
answer with RFC 9470's challenge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gatepass.clock import Clock
from gatepass.errors import InsufficientUserAuthenticationError
from gatepass.flows.reauth import confirm_password
from gatepass.flows.second_factor import live_factor, prove_code
from gatepass.flows.services import Limits, PasswordHasher
from gatepass.stepup import MORE_RECENT, login_is_recent
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester
from gatepass.tokens.sealing import Sealer

__all__ = ["Proof", "Proofs", "ensure_recent_login", "proof_needed"]

Proof = Literal["password", "code"]


def proof_needed(*, auth_time: float, max_age: int, now: float, totp_on: bool) -> Proof | None:
    """None for a login at most ``max_age`` old; else the factor that stands in for one."""
    if login_is_recent(auth_time, max_age=max_age, now=now):
        return None
    return "code" if totp_on else "password"


@dataclass(frozen=True, slots=True)
class Proofs:
    """What the request carries: a ``password`` and a TOTP ``code`` given as proof, and the
    factors the change's own flow checks anyway (``checked``)."""

    password: str | None = field(default=None, repr=False)
    code: str | None = field(default=None, repr=False)
    checked: tuple[Proof, ...] = ()


async def ensure_recent_login(
    store: Store,
    passwords: PasswordHasher,
    sealer: Sealer,
    limits: Limits,
    *,
    user: User,
    auth_time: float,
    max_age: int,
    proofs: Proofs,
    requester: Requester,
    clock: Clock,
) -> None:
    """Nothing when ``user``'s login (live and enabled: the caller checked it) is recent
    or the needed proof holds (a wrong one is counted as ``confirm_password`` or
    ``second_factor.prove`` counts it); InsufficientUserAuthenticationError when the
    request carries none."""
    totp_on = await live_factor(store, user.id) is not None
    needed = proof_needed(auth_time=auth_time, max_age=max_age, now=clock(), totp_on=totp_on)
    if needed is None or needed in proofs.checked:
        return
    if needed == "password" and proofs.password is not None:
        await confirm_password(
            store,
            passwords,
            limits,
            user_id=user.id,
            password=proofs.password,
            requester=requester,
            clock=clock,
        )
        return
    if needed == "code" and proofs.code is not None:
        await prove_code(
            store, sealer, limits, user=user, code=proofs.code, requester=requester, now=clock()
        )
        return
    raise InsufficientUserAuthenticationError(MORE_RECENT, max_age=max_age)
