"""The UserStore contract, on every backend."""

from __future__ import annotations

import asyncio
import re

import pytest

from gatepass.errors import InvalidEmailError, NotFoundError, UserExistsError
from gatepass.store import Store, User
from tests.store.contract import NOW, make_user


async def test_create_user_normalises_email_and_sets_defaults(store: Store) -> None:
    user = await store.create_user("  Alice@Example.COM ", "h1", now=NOW)
    assert re.fullmatch(r"[0-9a-f]{32}", user.id)
    assert (user.email, user.password_hash, user.role) == ("alice@example.com", "h1", "user")
    assert (user.disabled, user.created_at) == (False, NOW)
    assert await store.get_user(user.id) == user
    assert await store.get_user_by_email("ALICE@example.com ") == user


async def test_create_user_with_role(store: Store) -> None:
    user = await store.create_user("root@example.com", "h", now=NOW, role="admin")
    fetched = await store.get_user(user.id)
    assert fetched is not None
    assert fetched.role == "admin"


async def test_missing_users_are_none(store: Store) -> None:
    assert await store.get_user("0" * 32) is None
    assert await store.get_user_by_email("nobody@example.com") is None


async def test_keys_no_database_can_hold_find_nothing(store: Store) -> None:
    # PostgreSQL text cannot hold NUL: such a key (a URL path's %00) is simply
    # not found on every backend, never a "database unavailable".
    odd = "a\x00b"
    await make_user(store)
    assert await store.get_user(odd) is None
    assert await store.get_user_by_email("a\x00@example.com") is None
    assert await store.get_session(odd) is None
    assert await store.get_refresh_token(odd) is None
    assert await store.get_refresh_token_by_id(odd) is None
    assert await store.list_active_sessions(odd, now=NOW) == []
    assert await store.revoke_session(odd, now=NOW, reason="x") is False
    await store.touch_session(odd, now=NOW)
    with pytest.raises(NotFoundError):
        await store.update_user(odd, role="admin")


async def test_email_is_unique_whatever_its_case(store: Store) -> None:
    await make_user(store, "bob@example.com")
    with pytest.raises(UserExistsError):
        await store.create_user("BOB@example.com", "other", now=NOW)
    assert len(await store.list_users()) == 1


async def test_update_user_changes_only_given_fields(store: Store) -> None:
    user = await make_user(store)
    updated = await store.update_user(user.id, password_hash="h2")
    assert updated.password_hash == "h2"
    assert (updated.role, updated.disabled, updated.email) == (user.role, False, user.email)
    updated = await store.update_user(user.id, role="admin", disabled=True)
    assert (updated.role, updated.disabled, updated.password_hash) == ("admin", True, "h2")
    assert await store.get_user(user.id) == updated
    assert await store.update_user(user.id) == updated


async def test_update_missing_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.update_user("0" * 32, role="admin")


async def test_list_users_oldest_first_with_paging(store: Store) -> None:
    created = [await store.create_user(f"u{i}@example.com", "h", now=NOW + i) for i in range(5)]
    assert await store.list_users() == created
    assert await store.list_users(limit=2) == created[:2]
    assert await store.list_users(limit=2, offset=3) == created[3:]


async def test_email_verified_starts_false_and_round_trips(store: Store) -> None:
    user = await make_user(store)
    assert user.email_verified is False
    verified = await store.update_user(user.id, email_verified=True)
    assert verified.email_verified is True
    assert await store.get_user(user.id) == verified
    assert await store.get_user_by_email(user.email) == verified
    assert await store.list_users() == [verified]
    unverified = await store.update_user(user.id, email_verified=False)  # False is a value
    assert unverified.email_verified is False
    assert await store.get_user(user.id) == unverified


async def test_create_user_verified(store: Store) -> None:
    user = await store.create_user("op@example.com", "h", now=NOW, email_verified=True)
    assert user.email_verified is True
    assert await store.get_user(user.id) == user


async def test_update_user_email_is_normalised_and_found_by_its_new_address(store: Store) -> None:
    user = await make_user(store)
    moved = await store.update_user(user.id, email="  New.Alice@EXAMPLE.com ", email_verified=False)
    assert moved.email == "new.alice@example.com"
    assert (moved.id, moved.password_hash, moved.created_at) == (
        user.id,
        user.password_hash,
        user.created_at,
    )
    assert await store.get_user_by_email("NEW.alice@example.com") == moved
    assert await store.get_user_by_email("alice@example.com") is None
    # The old address is free again, and the user may keep their own.
    other = await store.create_user("alice@example.com", "h", now=NOW + 1)
    assert await store.get_user_by_email("alice@example.com") == other
    assert await store.update_user(user.id, email="new.alice@example.com") == moved


async def test_update_user_to_a_taken_email_is_refused(store: Store) -> None:
    alice = await make_user(store)
    bob = await make_user(store, "bob@example.com")
    with pytest.raises(UserExistsError):
        await store.update_user(bob.id, email="ALICE@example.com", role="admin")
    assert await store.get_user(bob.id) == bob  # nothing of the update was kept
    assert await store.get_user_by_email("alice@example.com") == alice


async def test_update_user_to_an_invalid_email_is_refused(store: Store) -> None:
    user = await make_user(store)
    with pytest.raises(InvalidEmailError):
        await store.update_user(user.id, email="not an address")
    assert await store.get_user(user.id) == user


async def test_two_users_racing_for_one_address_one_wins(store: Store) -> None:
    alice = await make_user(store)
    bob = await make_user(store, "bob@example.com")
    results = await asyncio.gather(
        store.update_user(alice.id, email="carol@example.com"),
        store.update_user(bob.id, email="Carol@example.com"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["User", "UserExistsError"]
    winner = next(r for r in results if isinstance(r, User))
    assert await store.get_user_by_email("carol@example.com") == winner
