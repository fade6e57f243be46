"""The record helpers: hashing, ids, email normalisation, reprs that keep secrets out."""

from __future__ import annotations

import hashlib
import re

from gatepass.store import (
    RefreshToken,
    Rotate,
    RotationResult,
    Session,
    SigningKey,
    hash_token,
    new_id,
    new_session_id,
    normalise_email,
)


def test_hash_token_is_sha256_hex() -> None:
    assert hash_token("raw-token") == hashlib.sha256(b"raw-token").hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", hash_token("é"))


def test_ids() -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", new_id())
    session_ids = {new_session_id() for _ in range(100)}
    assert len(session_ids) == 100
    # 192 bits, hex: never a leading "-" that a command line would read as an option
    assert all(re.fullmatch(r"[0-9a-f]{48}", s) for s in session_ids)


def test_normalise_email() -> None:
    assert normalise_email("  Alice@Example.COM\n") == "alice@example.com"


def test_session_liveness() -> None:
    session = Session("s", "u", 0.0, 0.0, 100.0, None, None, None, None)
    assert session.is_live(99.9)
    assert not session.is_live(100.0)
    revoked = Session("s", "u", 0.0, 0.0, 100.0, 5.0, "logout", None, None)
    assert not revoked.is_live(6.0)


def test_reprs_leave_out_sealed_tokens_and_private_keys() -> None:
    token = RefreshToken("i", "s", "h", 0.0, 1.0, 0.5, "n", b"SEALED-BYTES")
    key = SigningKey("k", "EdDSA", '{"d":"PRIVATE-D"}', '{"x":"pub"}', "active", 0.0)
    decision = Rotate("h2", 1.0, b"SEALED-BYTES")
    result = RotationResult(decision, token, None, None, b"SEALED-BYTES")
    for text in (repr(token), repr(key), repr(decision), repr(result)):
        assert "SEALED" not in text
        assert "PRIVATE" not in text
    assert "pub" in repr(key)
