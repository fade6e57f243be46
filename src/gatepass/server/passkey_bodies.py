"""The request bodies of the passkey routes: a ``PublicKeyCredential`` in its JSON form.

The shape is checked here (422 with the field named, never its value), so
the OpenAPI document says what a browser sends: every byte string is
base64url without padding (``toJSON()``, or ``gatepass-passkeys.js``), of a
length some bytes have; members a browser adds that gatepass does not read
(``clientExtensionResults``, a registration's ``publicKey``, ...) are
ignored. What the members hold is py_webauthn's to judge
(``gatepass.tokens.passkey``): a credential of this shape that does not
verify is 401 ``invalid_credential``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AssertionJson",
    "CredentialBody",
    "RegistrationJson",
    "credential_dict",
]

# base64url with no padding, of a length 4n, 4n+2 or 4n+3 (4n+1 is no bytes).
_B64URL = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$"
# Caps well within GATEPASS_MAX_BODY_BYTES' default (64 KiB) all together.
_ID = 1366  # credential ids (WebAuthn caps them at 1023 bytes) and user handles (64)
_SIGNATURE = 1024  # an RSA-4096 signature is 683 characters
_CLIENT_DATA = 8192
_AUTHENTICATOR_DATA = 4096
_ATTESTATION = 16384  # "none" attestation: the authenticator data and the key


def _bytes(limit: int) -> Any:
    return Field(max_length=limit, pattern=_B64URL)


def _optional_bytes(limit: int) -> Any:
    return Field(default=None, max_length=limit, pattern=_B64URL)


class CredentialBody(BaseModel):
    """Unknown members are ignored: browsers add to the JSON form over time."""

    model_config = ConfigDict(extra="ignore", strict=True)


# The members are WebAuthn's (camelCase), as browsers send them.
class _Credential(CredentialBody):
    id: str = _bytes(_ID)
    rawId: str = _bytes(_ID)
    type: Literal["public-key"]
    authenticatorAttachment: Literal["platform", "cross-platform"] | None = None


class AttestationResponseJson(CredentialBody):
    clientDataJSON: str = _bytes(_CLIENT_DATA)
    attestationObject: str = _bytes(_ATTESTATION)
    transports: list[str] | None = Field(
        default=None, max_length=16
    )  # py_webauthn skips unknown ones


class AssertionResponseJson(CredentialBody):
    clientDataJSON: str = _bytes(_CLIENT_DATA)
    authenticatorData: str = _bytes(_AUTHENTICATOR_DATA)
    signature: str = _bytes(_SIGNATURE)
    userHandle: str | None = _optional_bytes(_ID)


class RegistrationJson(_Credential):
    """What ``navigator.credentials.create()`` made."""

    response: AttestationResponseJson


class AssertionJson(_Credential):
    """What ``navigator.credentials.get()`` signed."""

    response: AssertionResponseJson


def credential_dict(credential: RegistrationJson | AssertionJson) -> dict[str, Any]:
    """The JSON form py_webauthn reads (members left out rather than null)."""
    return credential.model_dump(exclude_none=True)
