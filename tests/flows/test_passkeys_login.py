"""Logging in with a passkey alone, and a passkey as the second step after a password."""

from __future__ import annotations

import dataclasses
from typing import Any

import pyotp
import pytest

from gatepass.errors import (
    EmailNotVerifiedError,
    InvalidCodeError,
    InvalidPasskeyError,
    InvalidRequestError,
    InvalidTokenError,
    NotFoundError,
)
from gatepass.flows import mfa, passkeys
from gatepass.flows.grant import TokenGrant
from gatepass.flows.mfa_login import verify_mfa
from gatepass.flows.passkeys_login import login_options, passkey_login
from gatepass.flows.passkeys_mfa import mfa_passkey_options, verify_mfa_passkey
from gatepass.jose import decode_unverified
from gatepass.store.protocols import Store
from gatepass.tokens.passkey import CHALLENGE_LIFETIME
from tests.authenticator import SoftAuthenticator, unb64u
from tests.clock import Clock
from tests.flows.conftest import (
    EMAIL,
    ISSUER,
    SESSION_TTL,
    WHO,
    CountedLimits,
    events,
)
from tests.flows.mfa_helpers import SEALER, password_step
from tests.flows.passkey_helpers import RP, add_passkey, with_passkey


async def log_in(
    store: Store,
    clock: Clock,
    credential: dict[str, Any],
    limits: CountedLimits | None = None,
    *,
    verified_email_required: bool = False,
) -> TokenGrant:
    return await passkey_login(
        store,
        RP,
        limits or CountedLimits(),
        ISSUER,
        credential=credential,
        requester=WHO,
        session_ttl=SESSION_TTL,
        clock=clock,
        verified_email_required=verified_email_required,
    )


async def options(store: Store, clock: Clock) -> dict[str, Any]:
    return await login_options(store, RP, clock=clock)


def claims(grant: TokenGrant) -> dict[str, Any]:
    _, payload = decode_unverified(grant.access_token)
    return dict(payload)


async def test_options_are_discoverable_with_user_verification(store: Store, clock: Clock) -> None:
    asked = await options(store, clock)
    assert asked["rpId"] == "auth.test"
    assert asked.get("allowCredentials", []) == []
    assert asked["userVerification"] == "required"
    assert len(unb64u(asked["challenge"])) == 32


async def test_a_passkey_alone_logs_in_with_hwk_and_user(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    limits = CountedLimits()
    clock.now += 60
    grant = await log_in(store, clock, done.authenticator.get(await options(store, clock)), limits)
    token = claims(grant)
    assert token["sub"] == done.user.id
    assert token["amr"] == ["hwk", "user", "mfa"]
    assert token["auth_time"] == clock()
    session = await store.get_session(grant.session_id)
    assert session is not None
    assert session.amr == ("hwk", "user", "mfa")
    (used,) = await store.list_passkeys(done.user.id)
    assert (used.sign_count, used.last_used_at) == (1, clock())
    assert await events(store) == ["passkey_added", "login", "passkey_login"]
    assert ("check", "login:ip", WHO.ip) in limits.calls


async def test_a_synced_passkey_is_swk_and_without_verification_no_user(
    store: Store, clock: Clock
) -> None:
    done = await with_passkey(store, clock, backup_eligible=True)
    done.authenticator.counts = False  # synced passkeys report 0: accepted while it stays 0
    grant = await log_in(store, clock, done.authenticator.get(await options(store, clock)))
    assert claims(grant)["amr"] == ["swk", "user", "mfa"]
    again = await log_in(store, clock, done.authenticator.get(await options(store, clock)))
    assert claims(again)["amr"] == ["swk", "user", "mfa"]
    # the login asks for user verification: an authenticator that did none is refused
    done.authenticator.user_verified = False
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, done.authenticator.get(await options(store, clock)))


async def test_a_counter_that_went_back_is_refused_and_audited(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    for _ in range(3):
        await log_in(store, clock, done.authenticator.get(await options(store, clock)))
    for count in (3, 2, 0):  # equal, lower, and a clone that stopped counting
        clone = done.authenticator.get(await options(store, clock), sign_count=count)
        with pytest.raises(InvalidPasskeyError):
            await log_in(store, clock, clone)
    (kept,) = await store.list_passkeys(done.user.id)
    assert kept.sign_count == 3
    clones = [e for e in await store.list_audit_events() if e.event == "passkey_clone_suspected"]
    assert [e.detail["presented_count"] for e in reversed(clones)] == [3, 2, 0]
    assert clones[0].detail["stored_count"] == 3
    assert clones[0].user_id == done.user.id
    # the genuine authenticator, counting on, still logs in
    await log_in(store, clock, done.authenticator.get(await options(store, clock)))


@pytest.mark.parametrize(
    "change",
    [
        {"origin": "https://evil.test"},
        {"origin": "http://auth.test"},
        {"rp_id": "evil.test"},
        {"challenge": "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE"},
    ],
)
async def test_an_assertion_for_something_else_is_refused(
    store: Store, clock: Clock, change: dict[str, Any]
) -> None:
    done = await with_passkey(store, clock)
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, done.authenticator.get(await options(store, clock), **change))
    assert await events(store) == ["passkey_added"]


async def test_an_assertion_from_a_cross_origin_frame_is_refused(
    store: Store, clock: Clock
) -> None:
    done = await with_passkey(store, clock)
    done.authenticator.cross_origin = True
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, done.authenticator.get(await options(store, clock)))


async def test_an_allowed_subdomain_origin_logs_in(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    asked = await options(store, clock)
    await log_in(store, clock, done.authenticator.get(asked, origin="https://app.auth.test"))


async def test_a_challenge_is_used_once_and_only_in_time(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    asked = await options(store, clock)
    answer = done.authenticator.get(asked)
    await log_in(store, clock, answer)
    with pytest.raises(InvalidPasskeyError):  # replayed as it was
        await log_in(store, clock, answer)
    with pytest.raises(InvalidPasskeyError):  # signed again over the spent challenge
        await log_in(store, clock, done.authenticator.get(asked))
    late = await options(store, clock)
    clock.now += CHALLENGE_LIFETIME
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, done.authenticator.get(late))


async def test_a_registration_challenge_does_not_log_in(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    asked = await passkeys.registration_options(store, RP, user_id=done.user.id, clock=clock)
    forged = done.authenticator.get({"rpId": "auth.test", "challenge": asked["challenge"]})
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, forged)


async def test_a_user_handle_that_is_not_the_credentials_user_is_refused(
    store: Store, clock: Clock
) -> None:
    alice = await with_passkey(store, clock)
    bob = await with_passkey(store, clock, email="bob@example.com")
    claimed = alice.authenticator.get(await options(store, clock), user_handle=bob.user.id.encode())
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, claimed)
    silent = alice.authenticator.get(await options(store, clock), send_user_handle=False)
    with pytest.raises(InvalidPasskeyError):  # a discoverable login needs the handle
        await log_in(store, clock, silent)


async def test_an_unknown_deleted_or_signed_by_another_key_credential_is_refused(
    store: Store, clock: Clock
) -> None:
    done = await with_passkey(store, clock)
    stranger = SoftAuthenticator()
    stranger.create({"rp": {"id": "auth.test"}, "user": {"id": "dXNlcg"}, "challenge": "AA"})
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, stranger.get(await options(store, clock)))
    # the right credential id, signed with another key
    stored = done.authenticator.credentials[done.passkey.credential_id]
    (other,) = stranger.credentials.values()
    forged = dataclasses.replace(stored, key=other.key)
    impostor = SoftAuthenticator(credentials={stored.credential_id: forged})
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, impostor.get(await options(store, clock)))
    await passkeys.delete_passkey(
        store, user_id=done.user.id, passkey_id=done.passkey.id, requester=WHO, clock=clock
    )
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, done.authenticator.get(await options(store, clock)))


async def test_a_deleted_or_disabled_users_passkey_is_refused(store: Store, clock: Clock) -> None:
    alice = await with_passkey(store, clock)
    bob = await with_passkey(store, clock, email="bob@example.com")
    await store.update_user(alice.user.id, disabled=True)
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, alice.authenticator.get(await options(store, clock)))
    assert await store.delete_user(bob.user.id, now=clock())
    with pytest.raises(InvalidPasskeyError):
        await log_in(store, clock, bob.authenticator.get(await options(store, clock)))
    assert await store.count_passkeys(bob.user.id) == 0


async def test_an_unverified_address_is_refused_when_verification_is_required(
    store: Store, clock: Clock
) -> None:
    done = await with_passkey(store, clock)
    with pytest.raises(EmailNotVerifiedError):
        await log_in(
            store,
            clock,
            done.authenticator.get(await options(store, clock)),
            verified_email_required=True,
        )


async def test_a_shape_no_browser_sends_is_a_bad_request(store: Store, clock: Clock) -> None:
    with pytest.raises(InvalidRequestError):
        await log_in(store, clock, {"id": "x", "type": "public-key"})


# --- the second step after a password ----------------------------------------


async def second_step(
    store: Store, clock: Clock, limits: CountedLimits, mfa_token: str, credential: dict[str, Any]
) -> tuple[TokenGrant, bool]:
    return await verify_mfa_passkey(
        store,
        RP,
        limits,
        ISSUER,
        presented=mfa_token,
        credential=credential,
        requester=WHO,
        session_ttl=SESSION_TTL,
        clock=clock,
    )


async def mfa_options(store: Store, clock: Clock, mfa_token: str) -> dict[str, Any]:
    return await mfa_passkey_options(store, RP, presented=mfa_token, clock=clock)


async def test_a_passkey_makes_the_password_ask_for_it(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    limits = CountedLimits()
    step = await password_step(store, clock, limits)
    assert step.methods == ("passkey",)
    assert ("login_succeeded", EMAIL, WHO.ip) not in limits.calls
    asked = await mfa_options(store, clock, step.mfa_token)
    assert [unb64u(c["id"]) for c in asked["allowCredentials"]] == [done.passkey.credential_id]
    assert asked["userVerification"] == "preferred"
    grant, cookies = await second_step(
        store, clock, limits, step.mfa_token, done.authenticator.get(asked)
    )
    assert not cookies
    assert claims(grant)["amr"] == ["pwd", "hwk", "user", "mfa"]
    assert ("login_succeeded", EMAIL, WHO.ip) in limits.calls
    with pytest.raises(InvalidTokenError):  # the mfa_token is spent
        await mfa_options(store, clock, step.mfa_token)


async def test_another_users_passkey_does_not_finish_the_login(store: Store, clock: Clock) -> None:
    await with_passkey(store, clock)
    bob = await with_passkey(store, clock, email="bob@example.com")
    limits = CountedLimits()
    step = await password_step(store, clock, limits)
    asked = await mfa_options(store, clock, step.mfa_token)
    bobs = bob.authenticator.get(asked, credential_id=bob.passkey.credential_id)
    with pytest.raises(InvalidPasskeyError):
        await second_step(store, clock, limits, step.mfa_token, bobs)
    assert ("login_failed", EMAIL) in limits.calls
    assert (await events(store))[-1] == "mfa_failed"
    # bob's login challenge (no user) does not serve alice's second step either
    own = await options(store, clock)
    with pytest.raises(InvalidPasskeyError):
        await second_step(store, clock, limits, step.mfa_token, bob.authenticator.get(own))


async def test_five_refused_passkeys_end_the_mfa_token(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    limits = CountedLimits()
    step = await password_step(store, clock, limits)
    for _ in range(5):
        asked = await mfa_options(store, clock, step.mfa_token)
        wrong = done.authenticator.get(asked, origin="https://evil.test")
        with pytest.raises(InvalidPasskeyError):
            await second_step(store, clock, limits, step.mfa_token, wrong)
    with pytest.raises(InvalidTokenError):
        await mfa_options(store, clock, step.mfa_token)


async def test_a_bad_shape_keeps_the_mfa_token(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    step = await password_step(store, clock, CountedLimits())
    with pytest.raises(InvalidRequestError):
        await second_step(store, clock, CountedLimits(), step.mfa_token, {"id": 1})
    asked = await mfa_options(store, clock, step.mfa_token)
    await second_step(store, clock, CountedLimits(), step.mfa_token, done.authenticator.get(asked))


async def test_a_user_without_passkeys_gets_no_options_and_a_code_is_refused(
    store: Store, clock: Clock
) -> None:
    done = await with_passkey(store, clock)
    step = await password_step(store, clock, CountedLimits())
    # a TOTP code where only a passkey is on: a wrong code
    with pytest.raises(InvalidCodeError):
        await verify_mfa(
            store,
            SEALER,
            CountedLimits(),
            ISSUER,
            presented=step.mfa_token,
            code="123456",
            recovery_code=None,
            requester=WHO,
            session_ttl=SESSION_TTL,
            clock=clock,
        )
    await store.delete_passkeys(done.user.id)
    with pytest.raises(NotFoundError):
        await mfa_options(store, clock, step.mfa_token)


async def test_methods_list_totp_and_passkey_together(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    await add_passkey(store, clock, done.user, SoftAuthenticator(), name="Second")
    setup = await mfa.setup_totp(
        store, SEALER, user_id=done.user.id, issuer_name="auth.test", clock=clock
    )
    await mfa.confirm_totp(
        store,
        SEALER,
        CountedLimits(),
        user_id=done.user.id,
        code=pyotp.TOTP(setup.secret).at(clock()),
        requester=WHO,
        clock=clock,
    )
    step = await password_step(store, clock, CountedLimits())
    assert step.methods == ("totp", "recovery_code", "passkey")
    asked = await mfa_options(store, clock, step.mfa_token)
    assert len(asked["allowCredentials"]) == 2
