"""The login flow on the memory store: limits, password, session, first grant, audit."""

from __future__ import annotations

import pytest

from gatepass.errors import EmailNotVerifiedError, InvalidCredentialsError, InvalidEmailError
from gatepass.flows import login
from gatepass.jose import decode_unverified
from gatepass.store.protocols import Store
from gatepass.store.records import hash_token
from tests.clock import T0, Clock
from tests.flows.conftest import (
    ACCESS_TTL,
    EMAIL,
    ISSUER,
    PASSWORD,
    REFRESH_TTL,
    SESSION_TTL,
    WHO,
    CountedLimits,
    PlainPasswords,
    events,
    logged_in,
    sign_in,
)


async def test_a_login_starts_a_session_with_its_first_tokens(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    grant = await logged_in(store, clock, limits)
    assert (grant.expires_in, grant.refresh_expires_in, grant.rotation) == (
        ACCESS_TTL,
        REFRESH_TTL,
        None,
    )
    session = await store.get_session(grant.session_id)
    assert session is not None
    assert (session.created_at, session.expires_at) == (T0, T0 + SESSION_TTL)
    assert (session.ip, session.user_agent) == (WHO.ip, WHO.user_agent)
    token = await store.get_refresh_token(hash_token(grant.refresh_token))
    assert token is not None
    assert (token.session_id, token.expires_at) == (session.id, T0 + REFRESH_TTL)
    _, claims = decode_unverified(grant.access_token)
    assert (claims["sid"], claims["email"], claims["iat"], claims["exp"]) == (
        session.id,
        EMAIL,
        int(T0),
        int(T0) + ACCESS_TTL,
    )
    assert await events(store) == ["login"]
    assert limits.calls == [
        ("check", "login:ip", WHO.ip),
        ("admit_login", EMAIL, WHO.ip),
        ("login_succeeded", EMAIL, WHO.ip),
    ]


async def test_a_wrong_password_is_counted_and_audited(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=T0)
    with pytest.raises(InvalidCredentialsError):
        await sign_in(store, clock, limits=limits, password="not the password")
    assert limits.calls[-1] == ("login_failed", EMAIL)
    [failed] = await store.list_audit_events()
    assert (failed.event, failed.user_id, failed.at, failed.ip) == (
        "login_failed",
        user.id,
        T0,
        WHO.ip,
    )
    assert await store.list_active_sessions(user.id, now=T0) == []


async def test_an_unknown_email_fails_like_a_wrong_password(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    with pytest.raises(InvalidCredentialsError):
        await sign_in(store, clock, limits=limits, email="nobody@example.com")
    [failed] = await store.list_audit_events()
    assert (failed.event, failed.user_id) == ("login_failed", None)


async def test_a_disabled_user_cannot_log_in(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=T0)
    await store.update_user(user.id, disabled=True)
    with pytest.raises(InvalidCredentialsError):
        await sign_in(store, clock, limits=limits)
    assert await events(store) == ["login_failed"]


async def test_the_email_is_checked_before_anything_is_counted(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    with pytest.raises(InvalidEmailError):
        await sign_in(store, clock, limits=limits, email="ada\u200b@example.com")
    assert limits.calls == []


async def test_an_outdated_hash_is_replaced(store: Store, clock: Clock) -> None:
    class Rehashing(PlainPasswords):
        async def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
            return stored == "old-scheme", True

    user = await store.create_user(EMAIL, "old-scheme", now=T0)
    await sign_in(store, clock, passwords=Rehashing())
    again = await store.get_user(user.id)
    assert again is not None
    assert again.password_hash == f"plain:{PASSWORD}"


async def test_an_unverified_address_is_refused_only_when_required_and_only_with_the_password(
    store: Store, clock: Clock, limits: CountedLimits
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())

    async def attempt(password: str) -> None:
        await login(
            store,
            PlainPasswords(),
            limits,
            ISSUER,
            email=EMAIL,
            password=password,
            requester=WHO,
            session_ttl=SESSION_TTL,
            clock=clock,
            verified_email_required=True,
        )

    with pytest.raises(InvalidCredentialsError):
        await attempt("not the password")
    with pytest.raises(EmailNotVerifiedError):
        await attempt(PASSWORD)
    assert await store.list_active_sessions(user.id, now=clock.now) == []
    await store.update_user(user.id, email_verified=True)
    await attempt(PASSWORD)
    grant = await sign_in(store, clock)
    assert decode_unverified(grant.access_token)[1]["email_verified"] is True
