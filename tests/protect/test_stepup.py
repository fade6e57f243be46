"""Step-up in all three adapters: ``amr`` and ``max_age`` refused with RFC 9470's challenge."""

from collections.abc import AsyncIterator

import pytest

from tests.clock import T0, Clock
from tests.protect.apps import ADAPTERS, KEY, STEP_UP_MAX_AGE, Caller, new_auth, running_caller
from tests.protect.helpers import mint

STRONGER = {"error": "insufficient_user_authentication", "message": "A stronger login is required"}
RECENT = {"error": "insufficient_user_authentication", "message": "A more recent login is required"}
STRONGER_CHALLENGE = (
    'Bearer error="insufficient_user_authentication", '
    'error_description="A stronger login is required"'
)
RECENT_CHALLENGE = (
    'Bearer error="insufficient_user_authentication", '
    f'error_description="A more recent login is required", max_age="{STEP_UP_MAX_AGE}"'
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=ADAPTERS)
async def caller(request: pytest.FixtureRequest, clock: Clock) -> AsyncIterator[Caller]:
    async with running_caller(request.param, new_auth(clock=clock)) as made:
        yield made


def token(**claims: object) -> str:
    return mint(KEY, now=T0, **claims)  # type: ignore[arg-type]


async def test_a_password_only_token_is_refused_where_otp_is_required(caller: Caller) -> None:
    for refused in (token(), token(amr=["pwd"], auth_time=T0)):
        reply = await caller.get("/otp", refused)
        assert reply.status_code == 401
        assert reply.json() == STRONGER
        assert reply.headers["www-authenticate"] == STRONGER_CHALLENGE
        assert reply.headers["cache-control"] == "no-store"


async def test_a_token_after_the_second_factor_passes(caller: Caller) -> None:
    reply = await caller.get("/otp", token(amr=["pwd", "otp", "mfa"], auth_time=T0))
    assert reply.status_code == 200
    assert reply.json() == {"sub": "user-1"}


async def test_max_age_counts_from_auth_time_on_the_authenticators_clock(
    caller: Caller, clock: Clock
) -> None:
    login = token(amr=["pwd"], auth_time=T0)
    clock.now = T0 + STEP_UP_MAX_AGE  # exactly the limit: still fresh
    assert (await caller.get("/recent", login)).status_code == 200
    clock.now += 1
    reply = await caller.get("/recent", login)
    assert reply.status_code == 401
    assert reply.json() == RECENT
    assert reply.headers["www-authenticate"] == RECENT_CHALLENGE


async def test_a_token_without_auth_time_fails_a_max_age(caller: Caller) -> None:
    reply = await caller.get("/recent", token(amr=["pwd"]))
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == RECENT_CHALLENGE


async def test_a_missing_role_is_still_403_before_any_step_up(caller: Caller) -> None:
    reply = await caller.get("/admin", token(amr=["pwd"], auth_time=T0))
    assert reply.status_code == 403
