"""Migration 0002: stored emails fold to the normalised form; collisions are reported, not lost."""

from __future__ import annotations

import logging

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from gatepass.store.emailfold import plan_email_fold
from gatepass.store.sql.migrate import alembic_config
from tests.store.conftest import StoreMaker

# (id, email as the old rule stored it: trimmed and lowercased)
ROWS = [
    ("u1", "victim@example.com"),
    ("u2", "ｖｉｃｔｉｍ@example.com"),  # folds onto u1
    ("u3", "jose\u0301@example.com"),  # NFD: folds alone
    ("u4", "vic\u200btim@example.com"),  # refused: zero-width space
    ("u5", "ops@corp.local"),  # refused: special-use domain
    ("u6", "bob@ex\u00e4mple.com"),  # folds alone to the A-label
    ("u7", "ada@example.com"),  # already normal
    ("u8", "𝐚𝐝𝐚@example.com"),  # folds onto u7
    ("u9", "𝐚𝐝𝐚@ｅｘａｍｐｌｅ.com"),  # and so does this one
]


def test_the_plan_folds_what_it_can_and_reports_the_rest_by_id() -> None:
    fold = plan_email_fold(ROWS)
    assert fold.updates == (
        ("u3", "jos\u00e9@example.com"),
        ("u6", "bob@xn--exmple-cua.com"),
    )
    assert fold.collisions == (("u1", "u2"), ("u7", "u8", "u9"))
    assert fold.refused == ("u4", "u5")
    warnings = fold.warnings()
    assert len(warnings) == 3
    assert "u1, u2" in warnings[0]
    assert "u7, u8, u9" in warnings[1]
    assert "u4, u5" in warnings[2]
    assert not any("@" in line for line in warnings)  # ids only, never an email


def test_a_clean_table_has_nothing_to_do() -> None:
    fold = plan_email_fold([("u1", "a@example.com"), ("u2", "b@example.com")])
    assert (fold.updates, fold.collisions, fold.refused, fold.warnings()) == ((), (), (), [])


def _to_0001(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "0001")


async def test_migration_0002_folds_and_reports_collisions(
    make_sql_store: StoreMaker, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_sql_store()
    async with store.engine.begin() as conn:
        await conn.run_sync(_to_0001)
        for n, (user_id, email) in enumerate(ROWS):
            await conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, role, disabled, created_at,"
                    " tokens_not_before) VALUES (:id, :email, 'h', 'user', false, :at, 0)"
                ),
                {"id": user_id, "email": email, "at": float(n)},
            )
    with caplog.at_level(logging.WARNING, logger="gatepass.store"):
        await store.migrate()
    stored = {u.id: u.email for u in await store.list_users(limit=100)}
    assert stored == {
        "u1": "victim@example.com",
        "u2": "ｖｉｃｔｉｍ@example.com",  # untouched: it collides with u1
        "u3": "jos\u00e9@example.com",
        "u4": "vic\u200btim@example.com",
        "u5": "ops@corp.local",
        "u6": "bob@xn--exmple-cua.com",
        "u7": "ada@example.com",
        "u8": "𝐚𝐝𝐚@example.com",
        "u9": "𝐚𝐝𝐚@ｅｘａｍｐｌｅ.com",
    }
    reported = [r.getMessage() for r in caplog.records if r.name == "gatepass.store"]
    assert len(reported) == 3
    assert "u1, u2" in reported[0]
    assert "u7, u8, u9" in reported[1]
    assert "u4, u5" in reported[2]
    # The normalised address finds the account that already held it; a row left
    # alone is still found by the email it has.
    found = await store.get_user_by_email("ＶＩＣＴＩＭ@example.com")
    assert found is not None
    assert found.id == "u1"
    refused = await store.get_user_by_email("vic\u200btim@example.com")
    assert refused is not None
    assert refused.id == "u4"
    moved = await store.get_user_by_email("bob@exämple.com")
    assert moved is not None
    assert moved.id == "u6"
    await store.migrate()  # at head: 0002 does not run again
    assert {u.id: u.email for u in await store.list_users(limit=100)} == stored
