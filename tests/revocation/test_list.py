"""The in-memory revocation list (``gatepass.revocation.list``)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from gatepass.revocation.list import RevocationList
from gatepass.store.records import Revocation, RevocationKind

NOW = 1_800_000_000.0


def _entry(
    seq: int,
    kind: RevocationKind,
    subject: str,
    *,
    not_before: float = NOW,
    expires_at: float = NOW + 900,
) -> Revocation:
    return Revocation(seq, kind, subject, not_before, not_before, expires_at)


def _claims(sub: str = "u1", sid: str = "s1", jti: str = "j1", iat: int = int(NOW) - 10) -> Any:
    return {"sub": sub, "sid": sid, "jti": jti, "iat": iat}


def test_empty_list_revokes_nothing() -> None:
    revoked = RevocationList()
    assert revoked.cursor == 0
    assert len(revoked) == 0
    assert not revoked.is_revoked(_claims(), NOW)


def test_session_entry_revokes_every_token_of_the_session() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(1, "session", "s1")])
    assert revoked.is_revoked(_claims(sid="s1", iat=int(NOW) + 100), NOW)
    assert not revoked.is_revoked(_claims(sid="s2"), NOW)


def test_jti_entry_revokes_that_token_only() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(1, "jti", "j1")])
    assert revoked.is_revoked(_claims(jti="j1"), NOW)
    assert not revoked.is_revoked(_claims(jti="j2"), NOW)


def test_user_entry_revokes_tokens_issued_before_not_before() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(1, "user", "u1", not_before=NOW + 0.5)])
    assert revoked.is_revoked(_claims(sub="u1", iat=int(NOW) - 1), NOW)
    # Same second as the logout-all: refused too (iat is whole seconds).
    assert revoked.is_revoked(_claims(sub="u1", iat=int(NOW)), NOW)
    assert not revoked.is_revoked(_claims(sub="u1", iat=int(NOW) + 1), NOW)
    assert not revoked.is_revoked(_claims(sub="u2", iat=int(NOW) - 1), NOW)


def test_user_entry_on_a_whole_second_keeps_tokens_of_that_second() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(1, "user", "u1", not_before=NOW)])
    assert revoked.is_revoked(_claims(sub="u1", iat=int(NOW) - 1), NOW)
    assert not revoked.is_revoked(_claims(sub="u1", iat=int(NOW)), NOW)


def test_user_entry_refuses_a_token_without_a_numeric_iat() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(1, "user", "u1")])
    assert revoked.is_revoked({"sub": "u1", "sid": "s", "jti": "j"}, NOW)
    assert revoked.is_revoked({"sub": "u1", "iat": True}, NOW)


def test_apply_is_idempotent_and_order_free() -> None:
    entries = [
        _entry(1, "session", "s1"),
        _entry(2, "user", "u1", not_before=NOW - 100, expires_at=NOW + 800),
        _entry(3, "user", "u1", not_before=NOW, expires_at=NOW + 900),
        _entry(4, "jti", "j9"),
    ]
    forward, backward = RevocationList(), RevocationList()
    forward.apply(entries)
    forward.apply(entries)
    backward.apply(reversed(entries))
    backward.apply([entries[0]])
    for revoked in (forward, backward):
        assert revoked.cursor == 4
        # Entry 3 covers entry 2 (later not_before, later expiry).
        assert len(revoked) == 3
        assert revoked.is_revoked(_claims(sub="u1", sid="x", jti="x", iat=int(NOW) - 50), NOW)


def test_cursor_never_goes_back() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(7, "jti", "a")])
    revoked.apply([_entry(3, "jti", "b")])
    assert revoked.cursor == 7
    revoked.apply([])
    assert revoked.cursor == 7


def test_user_entries_that_do_not_cover_each_other_are_both_kept() -> None:
    revoked = RevocationList()
    late_short = _entry(1, "user", "u1", not_before=NOW, expires_at=NOW + 10)
    early_long = _entry(2, "user", "u1", not_before=NOW - 100, expires_at=NOW + 900)
    revoked.apply([late_short, early_long])
    assert len(revoked) == 2
    assert revoked.is_revoked(_claims(iat=int(NOW) - 50), NOW)
    revoked.purge(NOW + 10)
    assert len(revoked) == 1
    assert not revoked.is_revoked(_claims(iat=int(NOW) - 50), NOW)
    assert revoked.is_revoked(_claims(iat=int(NOW) - 150), NOW)


def test_purge_drops_entries_when_their_tokens_have_expired() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(i, "session", f"s{i}", expires_at=NOW + i) for i in range(1, 101)])
    assert len(revoked) == 100
    assert revoked.purge(NOW) == 0
    assert revoked.purge(NOW + 50) == 50
    assert len(revoked) == 50
    assert not revoked.is_revoked(_claims(sid="s50"), NOW)
    assert revoked.is_revoked(_claims(sid="s51"), NOW)
    assert revoked.purge(NOW + 1000) == 50
    assert len(revoked) == 0
    assert revoked.cursor == 100


def test_entry_is_kept_until_purged_even_past_expiry() -> None:
    revoked = RevocationList()
    revoked.apply([_entry(1, "session", "s1", expires_at=NOW)])
    assert revoked.is_revoked(_claims(sid="s1"), NOW + 5)


def test_over_max_entries_the_soonest_expiring_are_dropped() -> None:
    revoked = RevocationList(max_entries=10)
    entries = [_entry(i, "jti", f"j{i}", expires_at=NOW + 1000 - i) for i in range(1, 31)]
    random.Random(4).shuffle(entries)
    revoked.apply(entries)
    assert len(revoked) == 10
    # Highest seq here expires soonest: 21..30 are gone, 1..10 stay.
    assert all(revoked.is_revoked(_claims(jti=f"j{i}"), NOW) for i in range(1, 11))
    assert not any(revoked.is_revoked(_claims(jti=f"j{i}"), NOW) for i in range(11, 31))
    assert revoked.cursor == 30


def test_memory_stays_bounded_when_one_subject_is_revoked_over_and_over() -> None:
    revoked = RevocationList()
    for i in range(1, 5001):
        revoked.apply([_entry(i, "user", "u1", not_before=NOW + i, expires_at=NOW + 900 + i)])
    assert len(revoked) == 1
    revoked.purge(NOW)
    assert len(revoked._expiry) <= 1025


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RevocationList(max_entries=0)
