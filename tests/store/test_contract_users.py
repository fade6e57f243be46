"""The UserStore contract, on every backend."""

from __future__ import annotations

import re

import pytest

from gatepass.errors import NotFoundError, UserExistsError
from gatepass.store import Store
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
