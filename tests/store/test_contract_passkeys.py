"""The ``PasskeyStore`` contract: memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from gatepass.errors import NotFoundError, PasskeyExistsError
from gatepass.store import Store, User, new_id
from gatepass.store.passkeys import Passkey, PasskeyChallenge
from tests.store.contract import NOW, make_user


def passkey(user: User, credential_id: bytes = b"\x00cred\xff", *, at: float = NOW) -> Passkey:
    return Passkey(
        id=new_id(),
        user_id=user.id,
        credential_id=credential_id,
        public_key=b"\xa5\x01\x02cose",
        sign_count=3,
        transports=("internal", "hybrid"),
        backup_eligible=True,
        backup_state=False,
        aaguid="00000000-0000-0000-0000-000000000000",
        name="Laptop",
        created_at=at,
    )


async def test_a_passkey_comes_back_as_it_was(store: Store) -> None:
    user = await make_user(store)
    key = passkey(user)
    await store.add_passkey(key)
    assert await store.get_passkey_by_credential(key.credential_id) == key
    assert await store.get_passkey_by_credential(b"other") is None
    assert await store.list_passkeys(user.id) == [key]
    assert await store.count_passkeys(user.id) == 1


async def test_a_credential_id_is_registered_once_across_users(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    await store.add_passkey(passkey(alice))
    with pytest.raises(PasskeyExistsError):
        await store.add_passkey(passkey(bob))
    assert await store.count_passkeys(bob.id) == 0


async def test_a_passkey_for_no_user_is_not_found(store: Store) -> None:
    ghost = User("0" * 32, "ghost@example.com", "h", "user", False, NOW)
    with pytest.raises(NotFoundError):
        await store.add_passkey(passkey(ghost))
    with pytest.raises(NotFoundError):
        await store.save_passkey_challenge(
            PasskeyChallenge("a" * 64, "register", ghost.id, NOW + 300), now=NOW
        )
    assert await store.list_passkeys("nul\x00") == []


async def test_a_list_is_oldest_first_and_only_the_owners(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    late, early = passkey(alice, b"late", at=NOW + 5), passkey(alice, b"early", at=NOW)
    for key in (late, early, passkey(bob, b"bobs")):
        await store.add_passkey(key)
    assert await store.list_passkeys(alice.id) == [early, late]


async def test_only_the_owner_renames_or_deletes(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    key = passkey(alice)
    await store.add_passkey(key)
    assert await store.rename_passkey(bob.id, key.id, "Mine now") is None
    assert not await store.delete_passkey(bob.id, key.id)
    renamed = await store.rename_passkey(alice.id, key.id, "Phone")
    assert renamed == dataclasses.replace(key, name="Phone")
    assert await store.list_passkeys(alice.id) == [renamed]
    assert await store.delete_passkey(alice.id, key.id)
    assert not await store.delete_passkey(alice.id, key.id)
    assert await store.rename_passkey(alice.id, key.id, "x") is None


async def test_delete_passkeys_takes_all_of_one_user(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    await store.add_passkey(passkey(alice, b"a1"))
    await store.add_passkey(passkey(alice, b"a2"))
    await store.add_passkey(passkey(bob, b"b1"))
    assert await store.delete_passkeys(alice.id) == 2
    assert await store.count_passkeys(alice.id) == 0
    assert await store.count_passkeys(bob.id) == 1


async def test_use_is_a_compare_and_set_on_the_counter(store: Store) -> None:
    user = await make_user(store)
    key = passkey(user)
    await store.add_passkey(key)
    assert not await store.use_passkey(
        key.id, seen_count=2, sign_count=9, backup_state=True, now=NOW + 1
    )
    results = await asyncio.gather(
        *(
            store.use_passkey(key.id, seen_count=3, sign_count=4, backup_state=True, now=NOW + 1)
            for _ in range(4)
        )
    )
    assert sorted(results) == [False] * 3 + [True]
    found = await store.get_passkey_by_credential(key.credential_id)
    assert found == dataclasses.replace(key, sign_count=4, backup_state=True, last_used_at=NOW + 1)


async def test_a_challenge_is_spent_once_for_its_ceremony(store: Store) -> None:
    user = await make_user(store)
    login = PasskeyChallenge("a" * 64, "login", None, NOW + 300)
    register = PasskeyChallenge("b" * 64, "register", user.id, NOW + 300)
    await store.save_passkey_challenge(login, now=NOW)
    await store.save_passkey_challenge(register, now=NOW)
    assert await store.consume_passkey_challenge("a" * 64, "register", now=NOW) is None
    results = await asyncio.gather(
        *(store.consume_passkey_challenge("a" * 64, "login", now=NOW) for _ in range(4))
    )
    assert [r for r in results if r is not None] == [login]
    assert await store.consume_passkey_challenge("b" * 64, "register", now=NOW) == register
    assert await store.consume_passkey_challenge("nul\x00", "login", now=NOW) is None


async def test_an_expired_challenge_is_refused_and_purged(store: Store) -> None:
    old = PasskeyChallenge("c" * 64, "login", None, NOW + 300)
    await store.save_passkey_challenge(old, now=NOW)
    assert await store.consume_passkey_challenge("c" * 64, "login", now=NOW + 300) is None
    await store.save_passkey_challenge(
        PasskeyChallenge("d" * 64, "login", None, NOW + 900), now=NOW + 400
    )
    # purged by the save: not there even for a clock that went back
    assert await store.consume_passkey_challenge("c" * 64, "login", now=NOW) is None


async def test_deleting_the_user_takes_passkeys_and_challenges(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    await store.add_passkey(passkey(alice, b"a1"))
    await store.add_passkey(passkey(bob, b"b1"))
    await store.save_passkey_challenge(
        PasskeyChallenge("e" * 64, "register", alice.id, NOW + 300), now=NOW
    )
    assert await store.delete_user(alice.id, now=NOW)
    assert await store.get_passkey_by_credential(b"a1") is None
    assert await store.consume_passkey_challenge("e" * 64, "register", now=NOW) is None
    assert await store.count_passkeys(bob.id) == 1
