"""The ``FactorStore`` contract: memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from gatepass.errors import NotFoundError
from gatepass.store import Store, User
from gatepass.store.factors import SecondFactors, TotpFactor
from tests.store.contract import NOW, make_user
from tests.store.test_contract_passkeys import passkey

HASHES = [f"{n:064x}" for n in range(10)]


def factor(user: User, sealed: bytes = b"\x00sealed\xff") -> TotpFactor:
    return TotpFactor(user_id=user.id, sealed_secret=sealed, confirmed=False, created_at=NOW)


async def confirmed(store: Store, user: User, step: int = 100) -> None:
    await store.save_totp(factor(user))
    assert await store.confirm_totp(user.id, step=step, recovery_hashes=HASHES)


async def test_a_saved_factor_comes_back_as_it_was(store: Store) -> None:
    user = await make_user(store)
    assert await store.get_totp(user.id) is None
    await store.save_totp(factor(user))
    assert await store.get_totp(user.id) == factor(user)


async def test_second_factors_say_a_confirmed_totp_and_the_passkeys_of_this_user(
    store: Store,
) -> None:
    user, bob = await make_user(store), await make_user(store, "bob@example.com")
    assert await store.second_factors(user.id) == SecondFactors(totp=False, passkeys=0)
    await store.save_totp(factor(user))
    assert await store.second_factors(user.id) == SecondFactors(totp=False, passkeys=0)
    assert await store.confirm_totp(user.id, step=1, recovery_hashes=HASHES)
    await store.add_passkey(passkey(user, b"one"))
    await store.add_passkey(passkey(user, b"two"))
    await store.add_passkey(passkey(bob, b"bob's"))
    assert await store.second_factors(user.id) == SecondFactors(totp=True, passkeys=2)
    assert await store.second_factors(bob.id) == SecondFactors(totp=False, passkeys=1)
    assert await store.delete_totp(user.id)
    assert await store.second_factors(user.id) == SecondFactors(totp=False, passkeys=2)
    for unknown in ("no-such-user", "nul\x00id"):
        assert await store.second_factors(unknown) == SecondFactors(totp=False, passkeys=0)


async def test_an_unconfirmed_factor_is_replaced_a_confirmed_one_is_not(store: Store) -> None:
    user = await make_user(store)
    await store.save_totp(factor(user, b"first"))
    await store.save_totp(factor(user, b"second"))
    found = await store.get_totp(user.id)
    assert found is not None
    assert found.sealed_secret == b"second"
    assert await store.confirm_totp(user.id, step=7, recovery_hashes=HASHES)
    with pytest.raises(ValueError):
        await store.save_totp(factor(user, b"third"))
    found = await store.get_totp(user.id)
    assert found == dataclasses.replace(factor(user, b"second"), confirmed=True, last_step=7)


async def test_a_factor_for_no_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.save_totp(TotpFactor("0" * 32, b"x", False, NOW))
    with pytest.raises(NotFoundError):
        await store.replace_recovery_codes("0" * 32, HASHES)
    assert await store.get_totp("nul\x00") is None


async def test_confirming_keeps_the_step_and_the_codes_once(store: Store) -> None:
    user = await make_user(store)
    assert not await store.confirm_totp(user.id, step=1, recovery_hashes=HASHES)
    await confirmed(store, user)
    assert await store.count_recovery_codes(user.id) == 10
    assert not await store.confirm_totp(user.id, step=200, recovery_hashes=HASHES[:1])
    assert await store.count_recovery_codes(user.id) == 10


async def test_a_step_is_accepted_once_and_never_an_earlier_one(store: Store) -> None:
    user = await make_user(store)
    assert not await store.accept_totp_step(user.id, 5)  # no factor
    await confirmed(store, user, step=100)
    assert not await store.accept_totp_step(user.id, 100)
    assert not await store.accept_totp_step(user.id, 99)
    assert await store.accept_totp_step(user.id, 101)
    assert not await store.accept_totp_step(user.id, 101)
    found = await store.get_totp(user.id)
    assert found is not None
    assert found.last_step == 101


async def test_of_concurrent_acceptances_of_one_step_one_wins(store: Store) -> None:
    user = await make_user(store)
    await confirmed(store, user, step=100)
    results = await asyncio.gather(*(store.accept_totp_step(user.id, 101) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]


async def test_a_recovery_code_is_spent_once(store: Store) -> None:
    user = await make_user(store)
    await confirmed(store, user)
    results = await asyncio.gather(
        *(store.consume_recovery_code(user.id, HASHES[3]) for _ in range(4))
    )
    assert sorted(results) == [False] * 3 + [True]
    assert await store.count_recovery_codes(user.id) == 9
    assert not await store.consume_recovery_code(user.id, "f" * 64)


async def test_another_users_code_is_refused(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    await confirmed(store, alice)
    assert not await store.consume_recovery_code(bob.id, HASHES[0])
    assert await store.count_recovery_codes(alice.id) == 10


async def test_replacing_the_codes_drops_the_old_ones(store: Store) -> None:
    user = await make_user(store)
    await confirmed(store, user)
    await store.replace_recovery_codes(user.id, ["a" * 64, "b" * 64])
    assert await store.count_recovery_codes(user.id) == 2
    assert not await store.consume_recovery_code(user.id, HASHES[0])
    assert await store.consume_recovery_code(user.id, "a" * 64)


async def test_deleting_the_factor_takes_its_codes(store: Store) -> None:
    user = await make_user(store)
    await confirmed(store, user)
    assert await store.delete_totp(user.id)
    assert not await store.delete_totp(user.id)
    assert await store.get_totp(user.id) is None
    assert await store.count_recovery_codes(user.id) == 0


async def test_deleting_the_user_takes_factor_and_codes(store: Store) -> None:
    alice, bob = await make_user(store), await make_user(store, "bob@example.com")
    await confirmed(store, alice)
    await confirmed(store, bob)
    assert await store.delete_user(alice.id, now=NOW)
    assert await store.get_totp(alice.id) is None
    assert await store.count_recovery_codes(alice.id) == 0
    assert await store.get_totp(bob.id) is not None
    assert await store.count_recovery_codes(bob.id) == 10
