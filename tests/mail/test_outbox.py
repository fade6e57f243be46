"""``Outbox``: mails are queued sealed, bound to their row, and opened only with the key."""

from __future__ import annotations

import dataclasses

import pytest

from gatepass.errors import ConfigError
from gatepass.mail.messages import MailWriter
from gatepass.mail.outbox import Outbox
from gatepass.store import MemoryStore, User
from gatepass.tokens import onetime
from tests.mail.conftest import KEK, NOW

ALICE = User("a" * 32, "alice@example.com", "$argon2id$h", "user", False, NOW)
WRITER = MailWriter("https://app.example.com")


async def test_enqueue_seals_and_open_gives_the_mail_back(outbox: Outbox) -> None:
    issued = onetime.mint("verify_email", ALICE, NOW)
    mail = WRITER.verify_email(ALICE.email, issued)
    entry = await outbox.enqueue(mail, now=NOW)
    assert (entry.kind, entry.recipient, entry.status, entry.attempts) == (
        "verify_email",
        "alice@example.com",
        "pending",
        0,
    )
    assert (entry.created_at, entry.next_attempt_at) == (NOW, NOW)
    assert entry.sealed is not None
    assert issued.token.encode() not in entry.sealed
    assert await outbox.store.list_mail() == [entry]
    assert outbox.open(entry) == mail


async def test_a_sealed_body_cannot_move_to_another_row(outbox: Outbox) -> None:
    first = await outbox.enqueue(WRITER.account_deleted("a@example.com"), now=NOW)
    second = await outbox.enqueue(WRITER.account_deleted("b@example.com"), now=NOW)
    with pytest.raises(ConfigError, match="another key"):
        outbox.open(dataclasses.replace(second, sealed=first.sealed))
    with pytest.raises(ConfigError, match="another key"):
        outbox.open(dataclasses.replace(first, recipient="b@example.com"))


async def test_only_the_same_key_opens_it() -> None:
    store = MemoryStore()
    entry = await Outbox(store, KEK).enqueue(WRITER.account_deleted("a@example.com"), now=NOW)
    assert Outbox(store, KEK).open(entry).to == "a@example.com"
    with pytest.raises(ConfigError, match="another key"):
        Outbox(store, "z" * 43).open(entry)
    with pytest.raises(ConfigError, match="no body"):
        Outbox(store, KEK).open(dataclasses.replace(entry, sealed=None))
