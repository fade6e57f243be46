"""One-time account tokens: minting, and every way a token is refused (one error)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from gatepass.errors import InvalidTokenError
from gatepass.store import MemoryStore, Store, User
from gatepass.store.account_tokens import AccountTokenPurpose
from gatepass.store.records import hash_token
from gatepass.tokens import onetime

NOW = 1_700_000_000.0
ALICE = User("a" * 32, "alice@example.com", "$argon2id$one", "user", False, NOW)
BOB = User("b" * 32, "bob@example.com", "$argon2id$two", "user", False, NOW)


def test_a_token_is_256_random_bits_and_only_its_hash_is_kept() -> None:
    issued = onetime.mint("reset_password", ALICE, NOW)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", issued.token)  # 32 bytes, base64url
    assert issued.record.token_hash == hash_token(issued.token)
    assert issued.token not in repr(issued)
    assert issued.token not in repr(issued.record)
    assert len({onetime.mint("reset_password", ALICE, NOW).token for _ in range(100)}) == 100


@pytest.mark.parametrize(
    ("purpose", "lifetime"),
    [
        ("mfa_login", 300.0),
        ("reset_password", 1800.0),
        ("change_email", 3600.0),
        ("verify_email", 86400.0),
    ],
)
def test_lifetimes(purpose: AccountTokenPurpose, lifetime: float) -> None:
    payload = "new@example.com" if purpose in ("change_email", "mfa_login") else None
    issued = onetime.mint(purpose, ALICE, NOW, payload=payload)
    assert (issued.record.created_at, issued.record.expires_at) == (NOW, NOW + lifetime)
    assert issued.lifetime == lifetime == onetime.LIFETIMES[purpose]
    assert (issued.record.purpose, issued.record.user_id) == (purpose, ALICE.id)


def test_a_lifetime_can_be_chosen_but_must_be_positive() -> None:
    assert onetime.mint("verify_email", ALICE, NOW, lifetime=60).record.expires_at == NOW + 60
    with pytest.raises(ValueError, match="positive"):
        onetime.mint("verify_email", ALICE, NOW, lifetime=0)


def test_only_change_email_and_mfa_login_carry_a_payload() -> None:
    issued = onetime.mint("change_email", ALICE, NOW, payload="new@example.com")
    assert issued.record.payload == "new@example.com"
    with pytest.raises(ValueError, match="payload"):
        onetime.mint("change_email", ALICE, NOW)
    with pytest.raises(ValueError, match="payload"):
        onetime.mint("mfa_login", ALICE, NOW)
    with pytest.raises(ValueError, match="payload"):
        onetime.mint("reset_password", ALICE, NOW, payload="x")
    with pytest.raises(ValueError, match="purpose"):
        onetime.mint("login", ALICE, NOW)  # type: ignore[arg-type]


def test_the_stamp_changes_with_the_password_or_the_email_only() -> None:
    stamp = onetime.account_stamp(ALICE)
    assert re.fullmatch(r"[0-9a-f]{64}", stamp)
    assert ALICE.password_hash not in stamp
    assert onetime.account_stamp(dataclasses.replace(ALICE, role="admin")) == stamp
    assert onetime.account_stamp(dataclasses.replace(ALICE, password_hash="$new")) != stamp
    assert onetime.account_stamp(dataclasses.replace(ALICE, email="a2@example.com")) != stamp


@pytest.mark.parametrize(
    "presented",
    ["", "short", "A" * 42, "A" * 44, "A" * 42 + "=", "A" * 42 + "\x00", "A" * 1_000_000, "é" * 43],
)
def test_a_token_mint_cannot_have_made_is_refused_before_lookup(presented: str) -> None:
    with pytest.raises(InvalidTokenError):
        onetime.lookup_hash(presented)


def test_lookup_hash_of_a_minted_token() -> None:
    issued = onetime.mint("verify_email", ALICE, NOW)
    assert onetime.lookup_hash(issued.token) == issued.record.token_hash


def test_redeem_accepts_the_owner_as_minted() -> None:
    issued = onetime.mint("verify_email", ALICE, NOW)
    assert onetime.redeem(issued.record, ALICE) == issued.record


@pytest.mark.parametrize(
    "user",
    [
        None,
        BOB,
        dataclasses.replace(ALICE, disabled=True),
        dataclasses.replace(ALICE, password_hash="$argon2id$changed"),
        dataclasses.replace(ALICE, email="moved@example.com"),
    ],
    ids=["deleted", "other-user", "disabled", "password-changed", "email-changed"],
)
def test_redeem_refuses(user: User | None) -> None:
    issued = onetime.mint("reset_password", ALICE, NOW)
    with pytest.raises(InvalidTokenError):
        onetime.redeem(issued.record, user)
    with pytest.raises(InvalidTokenError):
        onetime.redeem(None, ALICE)


# --- through a store, as a flow uses it ------------------------------------------


async def use(
    store: Store, token: str, purpose: AccountTokenPurpose, now: float, user_id: str | None = None
) -> str:
    """What a flow does with a presented token; the error's text when refused."""
    try:
        key = onetime.lookup_hash(token)
        record = await store.consume_account_token(key, purpose, now=now, user_id=user_id)
        user = None if record is None else await store.get_user(record.user_id)
        onetime.redeem(record, user)
    except InvalidTokenError as error:
        return str(error)
    return "ok"


REFUSED = str(InvalidTokenError())


async def test_every_refusal_through_a_store_is_one_error() -> None:
    store = MemoryStore()
    alice = await store.create_user("alice@example.com", "$argon2id$one", now=NOW)
    bob = await store.create_user("bob@example.com", "$argon2id$two", now=NOW)

    async def minted(purpose: AccountTokenPurpose = "reset_password") -> str:
        issued = onetime.mint(purpose, alice, NOW)
        await store.save_account_token(issued.record)
        return issued.token

    twice = await minted()
    assert await use(store, twice, "reset_password", NOW + 1) == "ok"
    expired = await minted()
    foreign = await minted()
    other_user = await minted("verify_email")
    outdated = await minted()
    refusals = [
        await use(store, twice, "reset_password", NOW + 2),
        await use(store, expired, "reset_password", NOW + 1800),
        await use(store, foreign, "verify_email", NOW + 1),
        await use(store, other_user, "verify_email", NOW + 1, user_id=bob.id),
        await use(store, "x" * 43, "reset_password", NOW + 1),
        await use(store, "not a token", "reset_password", NOW + 1),
    ]
    # The foreign-purpose and other-user attempts did not spend them.
    assert await use(store, foreign, "reset_password", NOW + 1) == "ok"
    assert await use(store, other_user, "verify_email", NOW + 1, user_id=alice.id) == "ok"
    # A password changed any other way kills the tokens minted before.
    await store.update_user(alice.id, password_hash="$argon2id$changed")
    refusals.append(await use(store, outdated, "reset_password", NOW + 1))
    assert refusals == [REFUSED] * 7
    assert REFUSED == "invalid_token: Invalid or expired token"
