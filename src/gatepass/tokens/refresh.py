"""Refresh tokens: opaque, rotated on every use, with reuse detection.

A refresh token is 256 random bits, urlsafe. The store keeps only its SHA-256
(``gatepass.store.records.hash_token``). Rotation spends the presented token
and issues a successor in one locked transaction (``Store.rotate_refresh``);
this module supplies the rule that transaction applies:

- unknown token, or its session revoked or past its absolute lifetime: reject;
- unspent and unexpired: rotate to the successor;
- spent within the grace window (concurrent tabs, a retried request): replay,
  answering with the same successor;
- spent after the grace window: reuse, so the token was stolen or leaked; the
  whole session is revoked and denylisted until its access tokens expire.

For the replay the successor's raw token is kept sealed on the spent row with
AES-GCM under a key derived (HKDF-SHA256) from the presented raw token: only
someone who presents that token can open it, and the database alone holds no
usable refresh token.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gatepass.errors import InvalidTokenError
from gatepass.store.records import RefreshToken, Session, hash_token
from gatepass.store.rotation import Decide, Reject, Replay, RevokeSession, Rotate, RotationDecision

__all__ = ["RotationPolicy", "new_refresh_token", "seal_successor", "unseal_successor"]

_SEAL_INFO = b"gatepass refresh-token successor v1"
_NONCE_BYTES = 12


def new_refresh_token() -> str:
    """256 random bits, base64url (43 characters)."""
    return secrets.token_urlsafe(32)


def _sealing_key(presented: str) -> AESGCM:
    key = HKDF(hashes.SHA256(), 32, salt=None, info=_SEAL_INFO).derive(presented.encode("utf-8"))
    return AESGCM(key)


def seal_successor(presented: str, successor: str) -> bytes:
    """The successor's raw token, readable only with the presented raw token."""
    nonce = os.urandom(_NONCE_BYTES)
    aad = hash_token(presented).encode("ascii")
    return nonce + _sealing_key(presented).encrypt(nonce, successor.encode("utf-8"), aad)


def unseal_successor(presented: str, sealed: bytes) -> str:
    """Open what ``seal_successor`` sealed; a wrong token raises InvalidTokenError."""
    nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    try:
        plain = _sealing_key(presented).decrypt(nonce, body, hash_token(presented).encode("ascii"))
    except (InvalidTag, ValueError):
        raise InvalidTokenError() from None
    return plain.decode("utf-8")


@dataclass(frozen=True, slots=True)
class RotationPolicy:
    """Lifetimes that govern rotation, all in seconds (from ``Settings``)."""

    refresh_ttl: float
    grace: float
    access_ttl: float

    def rule(self, presented: str, successor: str) -> Decide:
        """The pure ``decide`` for ``Store.rotate_refresh``, for one presented token
        and the successor the caller generated for it."""

        def rotate(token: RefreshToken, session: Session, now: float) -> RotationDecision:
            if now >= token.expires_at:
                return Reject("expired")
            return Rotate(
                token_hash=hash_token(successor),
                expires_at=min(now + self.refresh_ttl, session.expires_at),
                sealed=seal_successor(presented, successor),
            )

        return self._rule(rotate)

    def replay_rule(self) -> Decide:
        """The same rule for a spent token the server presents again by its hash
        (the console's replay demonstration, where the raw token is gone): the
        grace/reuse branch is ``rule``'s own; an unspent token is never rotated
        here, only rejected as ``not_spent``. A replay inside the grace window
        delivers nothing, so it changes nothing and is not audited: it is
        ``Reject("in_grace")`` here, where a refresh would answer ``Replay``."""
        rule = self._rule(lambda token, session, now: Reject("not_spent"))

        def decide(
            token: RefreshToken | None, session: Session | None, now: float
        ) -> RotationDecision:
            decision = rule(token, session, now)
            return Reject("in_grace") if isinstance(decision, Replay) else decision

        return decide

    def _rule(self, unspent: Callable[[RefreshToken, Session, float], RotationDecision]) -> Decide:
        def decide(
            token: RefreshToken | None, session: Session | None, now: float
        ) -> RotationDecision:
            if token is None:
                return Reject("unknown")
            if session is None or not session.is_live(now):
                return Reject("session_ended")
            if token.spent_at is None:
                return unspent(token, session, now)
            if now - token.spent_at <= self.grace and token.successor_sealed is not None:
                return Replay()
            # Reuse outside the window: every access token of the session dies
            # with it, so the denylist entry must outlive the longest of them.
            return RevokeSession(denylist_until=now + self.access_ttl)

        return decide
