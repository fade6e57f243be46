"""A software WebAuthn authenticator for the tests: an EC P-256 key per credential,
``none`` attestation, and the JSON a browser's ``PublicKeyCredential.toJSON()`` gives.

``create(options)`` answers ``PublicKeyCredentialCreationOptions`` as
``navigator.credentials.create()`` would, ``get(options)`` answers request
options as ``navigator.credentials.get()`` would (a discoverable one when
``allowCredentials`` is empty). Everything a test may want to get wrong is a
keyword: the origin, the rp id, the challenge, the counter, the flags.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["SoftAuthenticator", "StoredCredential", "b64u", "unb64u"]

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
AAGUID = bytes(range(16))


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class StoredCredential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey = field(repr=False)
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


def _cose(key: ec.EllipticCurvePrivateKey) -> bytes:
    numbers = key.public_key().public_numbers()
    x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
    return bytes(cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y}))


@dataclass
class SoftAuthenticator:
    origin: str = "https://auth.test"
    backup_eligible: bool = False
    user_verified: bool = True
    counts: bool = True  # False: the counter stays 0, as synced passkeys' do
    cross_origin: bool = False  # True: as from a frame of another origin
    credentials: dict[bytes, StoredCredential] = field(default_factory=dict)

    def _flags(self, extra: int = 0) -> int:
        flags = UP | extra
        if self.user_verified:
            flags |= UV
        if self.backup_eligible:
            flags |= BE | BS
        return flags

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin or self.origin}
        return json.dumps({**data, "crossOrigin": self.cross_origin}).encode()

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        credential_id: bytes | None = None,
    ) -> dict[str, Any]:
        """A new credential for ``options`` (``rp.id`` and ``user.id`` from them)."""
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = credential_id or secrets.token_bytes(16)
        rp = rp_id or options["rp"]["id"]
        stored = StoredCredential(credential_id, key, rp, unb64u(options["user"]["id"]))
        self.credentials[credential_id] = stored
        attested = AAGUID + struct.pack(">H", len(credential_id)) + credential_id + _cose(key)
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags(AT)])
            + struct.pack(">I", 0)
            + attested
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data(
            "webauthn.create", challenge or options["challenge"], origin
        )
        return {
            "id": b64u(credential_id),
            "rawId": b64u(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64u(client_data),
                "attestationObject": b64u(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        credential_id: bytes | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        sign_count: int | None = None,
        user_handle: bytes | None = None,
        send_user_handle: bool = True,
    ) -> dict[str, Any]:
        """An assertion with ``credential_id`` (default: the first allowed one, or
        the only one this authenticator holds for the rp)."""
        stored = self._pick(options, credential_id)
        if sign_count is None:
            stored.sign_count += 1 if self.counts else 0
            sign_count = stored.sign_count
        rp = rp_id or options["rpId"]
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags()])
            + struct.pack(">I", sign_count)
        )
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        signature = stored.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        response = {
            "clientDataJSON": b64u(client_data),
            "authenticatorData": b64u(auth_data),
            "signature": b64u(signature),
        }
        if send_user_handle:
            response["userHandle"] = b64u(user_handle or stored.user_handle)
        return {
            "id": b64u(stored.credential_id),
            "rawId": b64u(stored.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def _pick(self, options: dict[str, Any], credential_id: bytes | None) -> StoredCredential:
        if credential_id is not None:
            return self.credentials[credential_id]
        allowed = [unb64u(c["id"]) for c in options.get("allowCredentials", [])]
        mine = [c for c in self.credentials.values() if not allowed or c.credential_id in allowed]
        assert len(mine) == 1, "say which credential"
        return mine[0]
