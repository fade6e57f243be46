"""The browser's half of a sign-in: state, nonce and PKCE verifier in a sealed cookie.

``begin`` draws a fresh ``state`` (CSRF of the callback), ``nonce`` (binds the
id_token to this attempt) and PKCE ``code_verifier`` (RFC 7636, S256), 256
random bits each. They travel to the callback in one cookie sealed with
AES-GCM (``tokens.sealing.Sealer`` under the key-encryption key, bound to the
provider's name), so the browser can neither read nor change them and
another browser's cookie is no use: the ``state`` in the callback must equal
the cookie's (compared in constant time). The cookie lives 10 minutes
(``HANDSHAKE_TTL``, checked against the sealed start time too, not only the
cookie's Max-Age) and the callback drops it whatever the outcome, so a
browser cannot spend a state and nonce twice. No record of spent states is
kept: a copy of the cookie made before the callback could replay it within
the 10 minutes, and only the provider spending the code once refuses that.

A link (``link_user``/``link_session``) is a handshake started by a signed-in
user: the callback links the identity to that user if the session is still live.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from typing import Final

from gatepass.errors import ConfigError, FederationStateError
from gatepass.tokens.sealing import Sealer

__all__ = ["HANDSHAKE_SEALING", "HANDSHAKE_TTL", "Handshake", "begin", "open_sealed", "seal"]

HANDSHAKE_TTL: Final = 600
#: The Sealer's info for handshake cookies (its own derived key).
HANDSHAKE_SEALING: Final = b"gatepass oidc handshake v1"
_MAX_COOKIE: Final = 3800


@dataclass(frozen=True, slots=True)
class Handshake:
    provider: str
    state: str
    nonce: str
    code_verifier: str
    return_to: str
    started_at: float
    link_user: str | None = None
    link_session: str | None = None

    @property
    def code_challenge(self) -> str:
        """RFC 7636 §4.2: BASE64URL(SHA256(code_verifier))."""
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def check_state(self, state: str | None) -> None:
        """``FederationStateError`` unless the callback's ``state`` is this handshake's."""
        given = (state or "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.state.encode("ascii")):
            raise FederationStateError()


def begin(
    provider: str,
    return_to: str,
    *,
    now: float,
    link_user: str | None = None,
    link_session: str | None = None,
) -> Handshake:
    return Handshake(
        provider=provider,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(48),
        return_to=return_to,
        started_at=now,
        link_user=link_user,
        link_session=link_session,
    )


def seal(handshake: Handshake, sealer: Sealer) -> str:
    plain = json.dumps(asdict(handshake), separators=(",", ":")).encode("utf-8")
    sealed = sealer.seal(plain, _bound(handshake.provider))
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def open_sealed(cookie: str | None, sealer: Sealer, *, provider: str, now: float) -> Handshake:
    """The handshake of this browser for ``provider``; ``FederationStateError`` for a
    missing, altered, foreign, other provider's or expired one."""
    if not cookie or len(cookie) > _MAX_COOKIE:
        raise FederationStateError()
    try:
        sealed = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
        fields = json.loads(sealer.open(sealed, _bound(provider)))
        handshake = Handshake(**fields)
    except (ValueError, TypeError, binascii.Error, ConfigError):
        raise FederationStateError() from None
    if handshake.provider != provider or not 0 <= now - handshake.started_at <= HANDSHAKE_TTL:
        raise FederationStateError()
    return handshake


def _bound(provider: str) -> bytes:
    return b"oidc-handshake:" + provider.encode("utf-8")
