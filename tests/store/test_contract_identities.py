"""The ``IdentityStore`` contract: memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

import asyncio

import pytest

from gatepass.errors import IdentityExistsError, NotFoundError
from gatepass.store import Store
from tests.store.contract import NOW, make_user


async def test_a_linked_identity_is_found_by_provider_and_subject(store: Store) -> None:
    user = await make_user(store)
    linked = await store.add_identity(user.id, "google", "1234", email="a@example.com", now=NOW)
    assert (linked.provider, linked.subject, linked.user_id) == ("google", "1234", user.id)
    assert linked.email == "a@example.com"
    assert linked.created_at == linked.last_login_at == NOW
    assert len(linked.id) == 32
    assert await store.get_identity("google", "1234") == linked
    assert await store.get_identity("google", "12345") is None
    assert await store.get_identity("github", "1234") is None


async def test_one_provider_subject_pair_belongs_to_one_user(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    await store.add_identity(alice.id, "google", "1", email=None, now=NOW)
    with pytest.raises(IdentityExistsError):
        await store.add_identity(bob.id, "google", "1", email=None, now=NOW)
    with pytest.raises(IdentityExistsError):
        await store.add_identity(alice.id, "google", "1", email=None, now=NOW)
    other = await store.add_identity(bob.id, "github", "1", email=None, now=NOW)
    assert await store.list_identities(bob.id) == [other]


async def test_two_links_racing_for_one_pair_one_wins(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    results = await asyncio.gather(
        store.add_identity(alice.id, "kc", "s", email=None, now=NOW),
        store.add_identity(bob.id, "kc", "s", email=None, now=NOW),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Identity", "IdentityExistsError"]


async def test_linking_to_a_missing_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.add_identity("0" * 32, "google", "1", email=None, now=NOW)
    with pytest.raises(NotFoundError):
        await store.add_identity("nul\x00", "google", "1", email=None, now=NOW)


async def test_listing_is_oldest_first_and_only_the_users_own(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    second = await store.add_identity(alice.id, "b", "2", email=None, now=NOW + 5)
    first = await store.add_identity(alice.id, "a", "1", email=None, now=NOW)
    await store.add_identity(bob.id, "a", "9", email=None, now=NOW)
    assert await store.list_identities(alice.id) == [first, second]
    assert await store.list_identities("nobody") == []


async def test_touch_sets_last_login(store: Store) -> None:
    user = await make_user(store)
    linked = await store.add_identity(user.id, "google", "1", email=None, now=NOW)
    await store.touch_identity(linked.id, now=NOW + 60)
    await store.touch_identity("0" * 32, now=NOW + 60)  # ignored
    found = await store.get_identity("google", "1")
    assert found is not None
    assert (found.created_at, found.last_login_at) == (NOW, NOW + 60)


async def test_unlinking_takes_only_the_users_own_identity(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    linked = await store.add_identity(alice.id, "google", "1", email=None, now=NOW)
    assert not await store.delete_identity(bob.id, linked.id)
    assert await store.get_identity("google", "1") == linked
    assert await store.delete_identity(alice.id, linked.id)
    assert not await store.delete_identity(alice.id, linked.id)
    assert await store.get_identity("google", "1") is None
    # the pair may be linked again, to anyone
    assert (await store.add_identity(bob.id, "google", "1", email=None, now=NOW)).user_id == bob.id


async def test_identities_go_with_their_user(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    await store.add_identity(alice.id, "google", "1", email=None, now=NOW)
    kept = await store.add_identity(bob.id, "google", "2", email=None, now=NOW)
    assert await store.delete_user(alice.id, now=NOW)
    assert await store.get_identity("google", "1") is None
    assert await store.list_identities(alice.id) == []
    assert await store.get_identity("google", "2") == kept
