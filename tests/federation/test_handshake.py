"""The sealed handshake cookie: state, nonce, PKCE verifier, bound to a browser and a provider."""

from __future__ import annotations

import base64
import hashlib

import pytest

from gatepass.errors import FederationStateError
from gatepass.federation import handshake
from gatepass.federation.handshake import HANDSHAKE_SEALING, HANDSHAKE_TTL
from gatepass.tokens.sealing import Sealer

SEALER = Sealer("a-key-encryption-key-for-the-handshake-tests", HANDSHAKE_SEALING)
NOW = 1_800_000_000.0


def test_a_sealed_handshake_opens_as_it_was() -> None:
    started = handshake.begin("google", "/back", now=NOW, link_user="u", link_session="s")
    cookie = handshake.seal(started, SEALER)
    assert started.state not in cookie
    assert started.nonce not in cookie
    assert handshake.open_sealed(cookie, SEALER, provider="google", now=NOW + 5) == started


def test_each_handshake_is_fresh_and_pkce_is_s256() -> None:
    one, two = (handshake.begin("g", "/", now=NOW) for _ in range(2))
    assert len({one.state, one.nonce, one.code_verifier, two.state, two.nonce}) == 5
    assert 43 <= len(one.code_verifier) <= 128  # RFC 7636 §4.1
    digest = hashlib.sha256(one.code_verifier.encode()).digest()
    assert one.code_challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_the_state_must_match() -> None:
    started = handshake.begin("g", "/", now=NOW)
    started.check_state(started.state)
    for wrong in (None, "", started.state[:-1], started.state + "x", "é"):
        with pytest.raises(FederationStateError):
            started.check_state(wrong)


@pytest.mark.parametrize("when", [NOW + HANDSHAKE_TTL + 1, NOW - 1])
def test_outside_its_ten_minutes_it_is_refused(when: float) -> None:
    cookie = handshake.seal(handshake.begin("g", "/", now=NOW), SEALER)
    with pytest.raises(FederationStateError):
        handshake.open_sealed(cookie, SEALER, provider="g", now=when)


def test_another_providers_key_or_an_altered_cookie_is_refused() -> None:
    cookie = handshake.seal(handshake.begin("g", "/", now=NOW), SEALER)
    other_key = Sealer("another-key-encryption-key-entirely-0123", HANDSHAKE_SEALING)
    attempts: list[tuple[str | None, Sealer, str]] = [
        (cookie, SEALER, "other"),
        (cookie, other_key, "g"),
        (cookie[:-2] + "AA", SEALER, "g"),
        ("", SEALER, "g"),
        (None, SEALER, "g"),
        ("!!!", SEALER, "g"),
        ("A" * 5000, SEALER, "g"),
    ]
    for value, sealer, provider in attempts:
        with pytest.raises(FederationStateError):
            handshake.open_sealed(value, sealer, provider=provider, now=NOW)
