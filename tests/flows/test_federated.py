"""Sign-in with a provider on the memory store: the linking rule, the session, link, unlink."""

from __future__ import annotations

import pytest

from gatepass.errors import (
    EmailNotVerifiedError,
    FederationEmailError,
    FederationStateError,
    ForbiddenError,
    IdentityExistsError,
    LastSignInMethodError,
    LinkRequiredError,
    NotFoundError,
    RegistrationClosedError,
)
from gatepass.federation.accounts import ProviderAccount
from gatepass.flows.federated import federated_login, link_identity, unlink_identity
from gatepass.flows.grant import TokenGrant
from gatepass.flows.mfa_login import MfaRequired, verify_mfa
from gatepass.jose import decode_unverified
from gatepass.store.protocols import Store
from gatepass.store.records import User
from tests.clock import Clock
from tests.flows.conftest import ISSUER, SESSION_TTL, WHO, CountedLimits, events
from tests.flows.mfa_helpers import SEALER, enrolled


def account(
    email: str | None = "ada@example.com",
    *,
    verified: bool = True,
    subject: str = "sub-1",
    amr: tuple[str, ...] = (),
) -> ProviderAccount:
    return ProviderAccount("idp", subject, email, verified, amr)


async def sign_in(
    store: Store,
    clock: Clock,
    who: ProviderAccount,
    *,
    registration_open: bool = True,
    verified_email_required: bool = False,
) -> TokenGrant | MfaRequired:
    return await federated_login(
        store,
        ISSUER,
        who,
        requester=WHO,
        session_ttl=SESSION_TTL,
        clock=clock,
        registration_open=registration_open,
        verified_email_required=verified_email_required,
    )


async def granted(store: Store, clock: Clock, who: ProviderAccount) -> TokenGrant:
    grant = await sign_in(store, clock, who)
    assert isinstance(grant, TokenGrant)
    return grant


async def user_of(store: Store, grant: TokenGrant) -> User:
    _, claims = decode_unverified(grant.access_token)
    user = await store.get_user(claims["sub"])
    assert user is not None
    return user


async def registered(store: Store, clock: Clock, *, verified: bool) -> User:
    return await store.create_user(
        "ada@example.com", "plain:pw", now=clock(), email_verified=verified
    )


async def test_a_new_identity_makes_a_passwordless_account(store: Store, clock: Clock) -> None:
    grant = await granted(store, clock, account(verified=True))
    user = await user_of(store, grant)
    assert (user.email, user.email_verified, user.has_password) == ("ada@example.com", True, False)
    identity = await store.get_identity("idp", "sub-1")
    assert identity is not None
    assert identity.user_id == user.id
    assert identity.email == "ada@example.com"
    session = await store.get_session(grant.session_id)
    assert session is not None
    assert session.user_id == user.id
    assert await events(store) == ["identity_linked", "identity_login", "login"]


async def test_the_new_accounts_address_is_verified_only_as_the_provider_says(
    store: Store, clock: Clock
) -> None:
    user = await user_of(store, await granted(store, clock, account(verified=False)))
    assert not user.email_verified


async def test_a_known_identity_signs_in_to_its_account(store: Store, clock: Clock) -> None:
    first = await user_of(store, await granted(store, clock, account()))
    clock.now += 60
    # the provider's address changed since: the identity, not the address, decides
    again = await user_of(store, await granted(store, clock, account("new@example.com")))
    assert again.id == first.id
    identity = await store.get_identity("idp", "sub-1")
    assert identity is not None
    assert identity.last_login_at == clock()


async def test_both_sides_verified_links_to_the_existing_account(
    store: Store, clock: Clock
) -> None:
    existing = await registered(store, clock, verified=True)
    user = await user_of(store, await granted(store, clock, account(verified=True)))
    assert user.id == existing.id
    assert user.has_password  # untouched


@pytest.mark.parametrize(
    ("gatepass_verified", "provider_verified"), [(False, True), (True, False), (False, False)]
)
async def test_an_address_not_verified_on_both_sides_is_never_linked_silently(
    store: Store, clock: Clock, gatepass_verified: bool, provider_verified: bool
) -> None:
    existing = await registered(store, clock, verified=gatepass_verified)
    with pytest.raises(LinkRequiredError):
        await sign_in(store, clock, account(verified=provider_verified))
    assert await store.list_identities(existing.id) == []
    assert await store.get_identity("idp", "sub-1") is None
    assert len(await store.list_users()) == 1
    assert await store.list_sessions(now=clock()) == []


async def test_the_address_is_matched_in_its_one_form(store: Store, clock: Clock) -> None:
    existing = await registered(store, clock, verified=True)
    user = await user_of(store, await granted(store, clock, account("ADA@Example.com")))
    assert user.id == existing.id


@pytest.mark.parametrize("email", [None, "", "not an address"])
async def test_no_usable_address_is_refused(store: Store, clock: Clock, email: str | None) -> None:
    with pytest.raises(FederationEmailError):
        await sign_in(store, clock, account(email))
    assert await store.list_users() == []


async def test_closed_registration_makes_no_account(store: Store, clock: Clock) -> None:
    with pytest.raises(RegistrationClosedError):
        await sign_in(store, clock, account(), registration_open=False)
    assert await store.list_users() == []


async def test_a_disabled_account_is_refused(store: Store, clock: Clock) -> None:
    user = await user_of(store, await granted(store, clock, account()))
    await store.update_user(user.id, disabled=True)
    with pytest.raises(ForbiddenError):
        await sign_in(store, clock, account())


async def test_verified_addresses_required(store: Store, clock: Clock) -> None:
    with pytest.raises(EmailNotVerifiedError):
        await sign_in(store, clock, account(verified=False), verified_email_required=True)
    assert await store.list_sessions(now=clock()) == []


async def test_the_providers_amr_is_carried_and_none_is_invented(
    store: Store, clock: Clock
) -> None:
    grant = await granted(store, clock, account(amr=("pwd", "mfa")))
    assert decode_unverified(grant.access_token)[1]["amr"] == ["pwd", "mfa"]
    plain = await granted(store, clock, account("b@example.com", subject="sub-2"))
    assert "amr" not in decode_unverified(plain.access_token)[1]


async def second_step(
    store: Store, clock: Clock, answer: MfaRequired, code: str
) -> tuple[TokenGrant, bool]:
    """``verify_mfa`` of ``answer``'s ``mfa_token`` with a TOTP ``code``."""
    return await verify_mfa(
        store,
        SEALER,
        CountedLimits(),
        ISSUER,
        presented=answer.mfa_token,
        code=code,
        recovery_code=None,
        requester=WHO,
        session_ttl=SESSION_TTL,
        clock=clock,
    )


async def test_a_user_with_totp_on_gets_the_second_step(store: Store, clock: Clock) -> None:
    factor = await enrolled(store, clock)
    await store.update_user(factor.user.id, email_verified=True)
    answer = await sign_in(store, clock, account("ada@example.com", amr=("pwd",)))
    assert isinstance(answer, MfaRequired)
    assert answer.methods == ("totp", "recovery_code")
    assert await store.list_sessions(now=clock()) == []
    grant, cookies = await second_step(store, clock, answer, factor.app.at(clock()))
    assert cookies  # a sign-in with a provider always ends in cookies
    # The first step's amr is the provider's, not gatepass's password
    assert decode_unverified(grant.access_token)[1]["amr"] == ["pwd", "otp", "mfa"]
    plain = await sign_in(store, clock, account("ada@example.com"))
    assert isinstance(plain, MfaRequired)
    grant, _ = await second_step(store, clock, plain, factor.app.at(clock() + 30))
    assert decode_unverified(grant.access_token)[1]["amr"] == ["otp", "mfa"]


async def test_a_providers_mfa_and_the_second_step_say_each_method_once(
    store: Store, clock: Clock
) -> None:
    factor = await enrolled(store, clock)
    await store.update_user(factor.user.id, email_verified=True)
    answer = await sign_in(store, clock, account("ada@example.com", amr=("pwd", "otp", "mfa")))
    assert isinstance(answer, MfaRequired)
    grant, _ = await second_step(store, clock, answer, factor.app.at(clock()))
    assert decode_unverified(grant.access_token)[1]["amr"] == ["pwd", "otp", "mfa"]


async def test_linking_from_a_signed_in_session(store: Store, clock: Clock) -> None:
    user = await registered(store, clock, verified=False)
    session = await store.create_session(user.id, now=clock(), expires_at=clock() + 60)
    linked = await link_identity(
        store, account(verified=False), user_id=user.id, session_id=session.id, clock=clock
    )
    assert linked.user_id == user.id
    again = await link_identity(
        store, account(), user_id=user.id, session_id=session.id, clock=clock
    )
    assert again == linked
    # the identity now signs in to that account
    assert (await user_of(store, await granted(store, clock, account()))).id == user.id


async def test_linking_needs_the_live_session_of_that_user(store: Store, clock: Clock) -> None:
    user = await registered(store, clock, verified=False)
    other = await store.create_user("o@example.com", "plain:pw", now=clock())
    session = await store.create_session(user.id, now=clock(), expires_at=clock() + 60)
    with pytest.raises(FederationStateError):
        await link_identity(store, account(), user_id=other.id, session_id=session.id, clock=clock)
    await store.revoke_session(session.id, now=clock(), reason="logout")
    with pytest.raises(FederationStateError):
        await link_identity(store, account(), user_id=user.id, session_id=session.id, clock=clock)
    assert await store.list_identities(user.id) == []


async def test_an_identity_of_another_account_is_not_moved(store: Store, clock: Clock) -> None:
    owner = await user_of(store, await granted(store, clock, account("b@example.com")))
    user = await registered(store, clock, verified=True)
    session = await store.create_session(user.id, now=clock(), expires_at=clock() + 60)
    with pytest.raises(IdentityExistsError):
        await link_identity(store, account(), user_id=user.id, session_id=session.id, clock=clock)
    identity = await store.get_identity("idp", "sub-1")
    assert identity is not None
    assert identity.user_id == owner.id


async def test_the_last_way_in_cannot_be_unlinked(store: Store, clock: Clock) -> None:
    user = await user_of(store, await granted(store, clock, account()))
    only = (await store.list_identities(user.id))[0]
    with pytest.raises(LastSignInMethodError):
        await unlink_identity(store, user_id=user.id, identity_id=only.id, clock=clock)
    session = await store.create_session(user.id, now=clock(), expires_at=clock() + 60)
    await link_identity(
        store, account(subject="sub-2"), user_id=user.id, session_id=session.id, clock=clock
    )
    await unlink_identity(store, user_id=user.id, identity_id=only.id, clock=clock)
    assert [i.subject for i in await store.list_identities(user.id)] == ["sub-2"]
    assert "identity_unlinked" in await events(store)


async def test_a_user_with_a_password_may_unlink_the_last_identity(
    store: Store, clock: Clock
) -> None:
    user = await registered(store, clock, verified=True)
    await granted(store, clock, account())
    only = (await store.list_identities(user.id))[0]
    await unlink_identity(store, user_id=user.id, identity_id=only.id, clock=clock)
    assert await store.list_identities(user.id) == []


async def test_another_users_identity_is_not_found(store: Store, clock: Clock) -> None:
    owner = await user_of(store, await granted(store, clock, account()))
    other = await store.create_user("o@example.com", "plain:pw", now=clock())
    theirs = (await store.list_identities(owner.id))[0]
    with pytest.raises(NotFoundError):
        await unlink_identity(store, user_id=other.id, identity_id=theirs.id, clock=clock)
