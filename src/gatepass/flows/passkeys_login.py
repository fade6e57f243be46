"""Logging in with a passkey alone: discoverable credentials, no email asked.

``login_options`` makes a ``login`` challenge with no user and empty
``allowCredentials`` (the authenticator offers the passkeys it holds for the
relying party), user verification required. ``passkey_login`` spends the
challenge the browser signed, finds the credential, checks that the user
handle is the credential's user (WebAuthn §7.2 step 6), has the assertion
verified (``prove_passkey``) and starts the session with ``amr`` ``hwk`` or
``swk``, and ``user`` (``tokens.passkey.amr_of``); audited ``passkey_login``
besides the session's ``login`` row. A passkey with user verification is two
factors in one (the device and the PIN or biometric), so a TOTP factor is not
asked for after it.

``prove_passkey`` is the one place an assertion is judged, for this login and
for the second step after a password (``flows.passkeys_mfa``): the counter
must grow when it counts (a counter that went back is refused and audited
``passkey_clone_suspected``), and is recorded by a compare-and-set together
with the backup state and ``last_used_at``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gatepass.clock import Clock
from gatepass.errors import EmailNotVerifiedError, InvalidPasskeyError
from gatepass.flows.grant import GrantIssuer, TokenGrant, start_login
from gatepass.flows.passkeys import audit_passkey, new_ceremony, spend_ceremony
from gatepass.flows.services import Limits
from gatepass.store.passkeys import Ceremony, Passkey
from gatepass.store.protocols import Store
from gatepass.store.records import User
from gatepass.store.rotation import Requester
from gatepass.tokens import passkey as webauthn
from gatepass.tokens.passkey import Assertion, RelyingParty

__all__ = ["Proven", "login_options", "passkey_login", "prove_passkey"]


@dataclass(frozen=True, slots=True)
class Proven:
    user: User
    passkey: Passkey
    assertion: Assertion

    @property
    def amr(self) -> tuple[str, ...]:
        return webauthn.amr_of(
            backup_eligible=self.passkey.backup_eligible,
            user_verified=self.assertion.user_verified,
        )


async def login_options(store: Store, rp: RelyingParty, *, clock: Clock) -> dict[str, Any]:
    """The options for a discoverable ``navigator.credentials.get()``."""
    challenge = await new_ceremony(store, "login", None, clock())
    return webauthn.request_options(rp, allow=(), challenge=challenge, verify_user=True)


async def prove_passkey(
    store: Store,
    rp: RelyingParty,
    *,
    credential: Mapping[str, Any],
    ceremony: Ceremony,
    user: User | None,
    requester: Requester,
    now: float,
) -> Proven:
    """Judge a ``navigator.credentials.get()`` answer for ``ceremony`` (``user``: who
    the ceremony was for, None for a discoverable login). ``InvalidRequestError``
    for a shape no browser sends, ``InvalidPasskeyError`` for every refusal."""
    parsed = webauthn.parse_assertion(credential)
    expected = None if user is None else user.id
    challenge = await spend_ceremony(
        store, parsed.response.client_data_json, ceremony, expected, now
    )
    passkey = await store.get_passkey_by_credential(parsed.raw_id)
    if passkey is None or (user is not None and passkey.user_id != user.id):
        raise InvalidPasskeyError()
    handle = parsed.response.user_handle
    if (handle is None and user is None) or (
        handle is not None and handle != passkey.user_id.encode("utf-8")
    ):
        raise InvalidPasskeyError()
    owner = await store.get_user(passkey.user_id)
    if owner is None or owner.disabled:
        raise InvalidPasskeyError()
    assertion = webauthn.verify_assertion(
        rp,
        parsed,
        challenge=challenge,
        public_key=passkey.public_key,
        verify_user=ceremony == "login",
    )
    if webauthn.counter_went_back(passkey.sign_count, assertion.sign_count):
        await audit_passkey(
            store,
            "passkey_clone_suspected",
            passkey,
            requester,
            now,
            stored_count=passkey.sign_count,
            presented_count=assertion.sign_count,
        )
        raise InvalidPasskeyError()
    if not await store.use_passkey(
        passkey.id,
        seen_count=passkey.sign_count,
        sign_count=assertion.sign_count,
        backup_state=assertion.backup_state,
        now=now,
    ):
        raise InvalidPasskeyError()  # another assertion with this counter won the race
    return Proven(owner, passkey, assertion)


async def passkey_login(
    store: Store,
    rp: RelyingParty,
    limits: Limits,
    issuer: GrantIssuer,
    *,
    credential: Mapping[str, Any],
    requester: Requester,
    session_ttl: int,
    clock: Clock,
    verified_email_required: bool = False,
) -> TokenGrant:
    """The first tokens of a session started with a passkey alone."""
    now = clock()
    await limits.check("login:ip", requester.ip or "unknown")
    proven = await prove_passkey(
        store, rp, credential=credential, ceremony="login", user=None, requester=requester, now=now
    )
    if verified_email_required and not proven.user.email_verified:
        raise EmailNotVerifiedError()
    grant = await start_login(
        store,
        issuer,
        proven.user,
        requester=requester,
        session_ttl=session_ttl,
        now=now,
        # The key (something had) and the user verification it required (a PIN or a
        # biometric): two factors, as RFC 8176's ``mfa`` says and ``require(amr=["mfa"])``
        # asks.
        amr=(*proven.amr, "mfa"),
    )
    await audit_passkey(store, "passkey_login", proven.passkey, requester, now)
    return grant
