"""Sign-in with a provider, linking and unlinking identities: whose account a provider's is.

The linking rule, for a ``(provider, subject)`` seen for the first time:

- the provider says ``email_verified: true`` for an address an account has
  *verified* -> the identity is linked to that account (both sides proved
  the address);
- no account has the address -> a new account, with no password
  (``NO_PASSWORD``), its address verified as the provider said (and only
  when registration is open);
- an account has the address but it or the provider's claim is not
  verified -> ``LinkRequiredError``: nothing is created and nothing linked
  (linking there would hand the account to whoever controls the provider's
  side, or an unverified address to whoever signed up with it first). Its
  owner signs in to it and links the provider from the account
  (``link_identity``, a handshake started by their session).

An account made that way with an unverified address can belong to someone
who merely typed another person's address at a provider that checks none
(account pre-hijacking). When a password reset later proves the address
(``flows.password_reset``), ``drop_unproved_identities`` unlinks every
identity of the account, so the mailbox's owner takes the account whole.

Then it is a login like a password login: ``flows.grant.start_login`` (the
session, its first refresh token and the ``login`` audit row in one
transaction), with ``amr`` the RFC 8176 values the provider's id_token gave,
or none; a user with TOTP on gets ``MfaRequired`` as a password login does.
A disabled account is ``ForbiddenError``; with verified addresses required,
an unverified one is ``EmailNotVerifiedError``. Audit: ``identity_linked``
(with ``created`` for a new account), ``identity_login``, ``identity_unlinked``.
"""

from __future__ import annotations

from gatepass.clock import Clock
from gatepass.errors import (
    EmailNotVerifiedError,
    FederationEmailError,
    FederationStateError,
    ForbiddenError,
    IdentityExistsError,
    InvalidEmailError,
    LastSignInMethodError,
    LinkRequiredError,
    NotFoundError,
    RegistrationClosedError,
    UserExistsError,
)
from gatepass.federation.accounts import ProviderAccount
from gatepass.flows.grant import GrantIssuer, TokenGrant, start_login
from gatepass.flows.mfa_login import MfaRequired, challenge
from gatepass.flows.second_factor import methods_of
from gatepass.identity.emails import normalise_email
from gatepass.store.identities import Identity
from gatepass.store.protocols import Store
from gatepass.store.records import NO_PASSWORD, User
from gatepass.store.rotation import Requester

__all__ = ["drop_unproved_identities", "federated_login", "link_identity", "unlink_identity"]


async def federated_login(
    store: Store,
    issuer: GrantIssuer,
    account: ProviderAccount,
    *,
    requester: Requester,
    session_ttl: int,
    clock: Clock,
    registration_open: bool,
    verified_email_required: bool = False,
) -> TokenGrant | MfaRequired:
    """The first tokens of a session for the account the provider vouched for."""
    now = clock()
    identity = await store.get_identity(account.provider, account.subject)
    user = None if identity is None else await store.get_user(identity.user_id)
    if identity is None or user is None:
        user = await _link_or_create(store, account, registration_open=registration_open, now=now)
    else:
        await store.touch_identity(identity.id, now=now)
    if user.disabled:
        raise ForbiddenError("This account is disabled")
    if verified_email_required and not user.email_verified:
        raise EmailNotVerifiedError()
    await store.add_audit_event(
        "identity_login",
        at=now,
        user_id=user.id,
        ip=requester.ip,
        user_agent=requester.user_agent,
        detail={"provider": account.provider},
    )
    methods = await methods_of(store, user.id)
    if methods:
        return await challenge(
            store, user, cookies=True, now=now, methods=methods, first=account.amr
        )
    return await start_login(
        store,
        issuer,
        user,
        requester=requester,
        session_ttl=session_ttl,
        now=now,
        amr=account.amr,
    )


async def link_identity(
    store: Store, account: ProviderAccount, *, user_id: str, session_id: str, clock: Clock
) -> Identity:
    """Link the provider's account to the signed-in user whose session started the
    handshake (still live, still theirs), or find it linked to them already."""
    now = clock()
    session = await store.get_session(session_id)
    if session is None or session.user_id != user_id or not session.is_live(now):
        raise FederationStateError()
    known = await store.get_identity(account.provider, account.subject)
    if known is not None:
        if known.user_id != user_id:
            raise IdentityExistsError()
        return known
    identity = await store.add_identity(
        user_id, account.provider, account.subject, email=_address(account), now=now
    )
    await _linked(store, identity, now, created=False)
    return identity


async def unlink_identity(store: Store, *, user_id: str, identity_id: str, clock: Clock) -> None:
    """Unlink one of the user's identities, unless it is their last way in."""
    now = clock()
    own = await store.list_identities(user_id)
    target = next((i for i in own if i.id == identity_id), None)
    user = await store.get_user(user_id)
    if target is None or user is None:
        raise NotFoundError("No such identity")
    if not user.has_password and len(own) == 1:
        raise LastSignInMethodError()
    if await store.delete_identity(user_id, identity_id):
        await store.add_audit_event(
            "identity_unlinked",
            at=now,
            user_id=user_id,
            detail={"provider": target.provider},
        )


async def drop_unproved_identities(store: Store, user: User, *, now: float) -> None:
    """Unlink every identity of ``user`` while their address is unproved, as a reset link
    proves it: whoever linked them never showed they own the address."""
    if user.email_verified:
        return
    for identity in await store.list_identities(user.id):
        if await store.delete_identity(user.id, identity.id):
            await store.add_audit_event(
                "identity_unlinked",
                at=now,
                user_id=user.id,
                detail={"provider": identity.provider, "reason": "address_proved"},
            )


async def _link_or_create(
    store: Store, account: ProviderAccount, *, registration_open: bool, now: float
) -> User:
    email = _address(account)
    if email is None:
        raise FederationEmailError()
    existing = await store.get_user_by_email(email)
    if existing is not None:
        if not (account.email_verified and existing.email_verified):
            raise LinkRequiredError()
        user, created = existing, False
    else:
        if not registration_open:
            raise RegistrationClosedError()
        try:
            user = await store.create_user(
                email, NO_PASSWORD, now=now, email_verified=account.email_verified
            )
        except UserExistsError:  # someone took the address meanwhile: theirs to link
            raise LinkRequiredError() from None
        created = True
    try:
        identity = await store.add_identity(
            user.id, account.provider, account.subject, email=email, now=now
        )
    except IdentityExistsError:  # a second callback of one sign-in won the race
        if created:
            await store.delete_user(user.id, now=now)
        raise FederationStateError() from None
    await _linked(store, identity, now, created=created)
    return user


async def _linked(store: Store, identity: Identity, now: float, *, created: bool) -> None:
    await store.add_audit_event(
        "identity_linked",
        at=now,
        user_id=identity.user_id,
        detail={"provider": identity.provider, "created": created},
    )


def _address(account: ProviderAccount) -> str | None:
    if account.email is None:
        return None
    try:
        return normalise_email(account.email)
    except InvalidEmailError:
        return None
