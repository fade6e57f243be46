"""The ``AccountTokenStore`` contract: memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import text

from gatepass.errors import NotFoundError
from gatepass.store import Store, User
from gatepass.store.account_tokens import AccountToken, AccountTokenPurpose
from gatepass.store.sql.store import SqlStore
from gatepass.tokens import onetime
from tests.store.conftest import StoreMaker
from tests.store.contract import NOW, make_user


async def saved(
    store: Store, user: User, purpose: AccountTokenPurpose = "reset_password"
) -> onetime.IssuedToken:
    payload = "new@example.com" if purpose in ("change_email", "mfa_login") else None
    issued = onetime.mint(purpose, user, NOW, payload=payload)
    await store.save_account_token(issued.record)
    return issued


async def test_a_saved_token_is_consumed_once(store: Store) -> None:
    user = await make_user(store)
    issued = await saved(store, user)
    key = issued.record.token_hash
    assert await store.consume_account_token(key, "reset_password", now=NOW + 1) == issued.record
    assert await store.consume_account_token(key, "reset_password", now=NOW + 2) is None


async def test_the_payload_comes_back(store: Store) -> None:
    user = await make_user(store)
    issued = await saved(store, user, "change_email")
    found = await store.consume_account_token(
        issued.record.token_hash, "change_email", now=NOW, user_id=user.id
    )
    assert found is not None
    assert found.payload == "new@example.com"


async def test_unknown_expired_and_foreign_purpose_tokens_are_none(store: Store) -> None:
    user = await make_user(store)
    issued = await saved(store, user)
    key = issued.record.token_hash
    assert await store.consume_account_token("0" * 64, "reset_password", now=NOW) is None
    assert await store.consume_account_token(key, "verify_email", now=NOW) is None
    assert await store.consume_account_token(key, "change_email", now=NOW) is None
    expiry = issued.record.expires_at
    assert await store.consume_account_token(key, "reset_password", now=expiry) is None
    # None of those spent it: the owner can still use it in time.
    assert await store.consume_account_token(key, "reset_password", now=expiry - 1) is not None


async def test_another_users_token_is_none_and_left_alone(store: Store) -> None:
    alice = await make_user(store)
    bob = await make_user(store, "bob@example.com")
    issued = await saved(store, alice, "verify_email")
    key = issued.record.token_hash
    assert await store.consume_account_token(key, "verify_email", now=NOW, user_id=bob.id) is None
    found = await store.consume_account_token(key, "verify_email", now=NOW, user_id=alice.id)
    assert found == issued.record


async def test_concurrent_uses_exactly_one_wins(store: Store) -> None:
    user = await make_user(store)
    issued = await saved(store, user)
    key = issued.record.token_hash
    results = await asyncio.gather(
        *(store.consume_account_token(key, "reset_password", now=NOW) for _ in range(8))
    )
    assert [r for r in results if r is not None] == [issued.record]


async def test_concurrent_uses_from_two_servers_exactly_one_wins(
    make_sql_store: StoreMaker,
) -> None:
    first, second = make_sql_store(), make_sql_store()
    await first.migrate()
    user = await make_user(first)
    keys = [(await saved(first, user)).record.token_hash for _ in range(5)]
    for key in keys:
        results = await asyncio.gather(
            *(s.consume_account_token(key, "reset_password", now=NOW) for s in (first, second)),
            *(s.consume_account_token(key, "reset_password", now=NOW) for s in (second, first)),
        )
        assert sum(r is not None for r in results) == 1


async def test_revoke_for_a_user_and_purpose(store: Store) -> None:
    alice = await make_user(store)
    bob = await make_user(store, "bob@example.com")
    reset_a, verify_a = await saved(store, alice), await saved(store, alice, "verify_email")
    reset_b = await saved(store, bob)
    assert await store.revoke_account_tokens(alice.id, purpose="reset_password") == 1
    assert (
        await store.consume_account_token(reset_a.record.token_hash, "reset_password", now=NOW)
        is None
    )
    assert await store.revoke_account_tokens(alice.id) == 1
    assert (
        await store.consume_account_token(verify_a.record.token_hash, "verify_email", now=NOW)
        is None
    )
    assert (
        await store.consume_account_token(reset_b.record.token_hash, "reset_password", now=NOW)
        == reset_b.record
    )
    assert await store.revoke_account_tokens(alice.id) == 0


async def test_purge_deletes_only_expired_tokens(store: Store) -> None:
    user = await make_user(store)
    short = await saved(store, user)  # 30 min
    long = await saved(store, user, "verify_email")  # 24 h
    assert await store.purge_account_tokens(now=short.record.expires_at) == 1
    assert await store.purge_account_tokens(now=short.record.expires_at) == 0
    key = long.record.token_hash
    assert await store.consume_account_token(key, "verify_email", now=NOW) == long.record
    stale = short.record.token_hash
    assert await store.consume_account_token(stale, "reset_password", now=NOW) is None


async def test_save_for_a_missing_user_is_not_found(store: Store) -> None:
    ghost = User("0" * 32, "ghost@example.com", "h", "user", False, NOW)
    with pytest.raises(NotFoundError):
        await store.save_account_token(onetime.mint("verify_email", ghost, NOW).record)


async def test_save_of_a_taken_hash_is_refused(store: Store) -> None:
    user = await make_user(store)
    issued = await saved(store, user)
    again = dataclasses.replace(issued.record, purpose="verify_email")
    with pytest.raises(ValueError, match="duplicate"):
        await store.save_account_token(again)


async def test_sql_tokens_go_with_their_user(make_sql_store: StoreMaker) -> None:
    store = make_sql_store()
    await store.migrate()
    user = await make_user(store)
    issued = await saved(store, user)
    async with store.engine.begin() as conn:
        await conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user.id})
        left = (await conn.execute(text("SELECT count(*) FROM account_tokens"))).scalar()
    assert left == 0
    key = issued.record.token_hash
    assert await store.consume_account_token(key, "reset_password", now=NOW) is None


async def test_no_token_is_stored_in_clear(make_sql_store: StoreMaker) -> None:
    store = make_sql_store()
    await store.migrate()
    user = await make_user(store)
    issued = [await saved(store, user, p) for p in onetime.LIFETIMES]
    rows = await _raw_rows(store, "account_tokens")
    assert len(rows) == len(onetime.LIFETIMES) == 4
    dump = repr(rows)
    for one in issued:
        assert one.token not in dump
        assert one.record.token_hash in dump
    assert issued[0].token not in repr(issued[0])


async def _raw_rows(store: SqlStore, table: str) -> list[tuple[object, ...]]:
    async with store.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(f"SELECT * FROM {table}"))]


def test_the_record_says_when_it_is_live() -> None:
    record = AccountToken("h", "verify_email", "u", "s", None, NOW, NOW + 10)
    assert record.is_live(NOW + 9.99)
    assert not record.is_live(NOW + 10)
