"""WebAuthn for gatepass: the relying party, the options a browser is given, and the
judging of its answers, with ``webauthn`` (py_webauthn). Pure: no store, no clock.

- **Relying party**: its id (a domain: the issuer's host unless
  ``GATEPASS_WEBAUTHN_RP_ID``), its name and the origins a ceremony may come
  from (the issuer's and the app URL's unless ``GATEPASS_WEBAUTHN_ORIGINS``);
  every origin's host is the id or under it (``relying_party``).
- **Challenges**: 256 random bits; the store keeps only ``challenge_hash``.
  The challenge a browser signed is read back from its ``clientDataJSON``
  (``signed_challenge``), so the answer itself names the challenge to spend.
- **Registration**: a discoverable credential (``residentKey: required``),
  user verification preferred, attestation ``none`` (gatepass trusts no
  vendor list; the key is bound to the account by the logged-in ceremony).
- **Assertions**: the signature, the origin, the rp id hash, user presence
  (and verification when asked) are checked by py_webauthn; the counter rule
  is ``counter_went_back`` (WebAuthn §6.1.1: a counter that is not above the
  stored one, when either is nonzero, is a possible clone).
- **amr** (RFC 8176, ``amr_of``): ``hwk`` for a device-bound key (backup
  eligible flag off: the private key cannot leave the authenticator), ``swk``
  for a synced one (backup eligible: the key is copied through a cloud
  account, so a software-protected copy exists), and ``user`` when the
  authenticator verified the user (PIN or biometric).

Input shapes a browser cannot have sent are ``InvalidRequestError`` (422);
an answer of the right shape that does not verify is ``InvalidPasskeyError``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticationCredential,
    AuthenticatorSelectionCriteria,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from gatepass.errors import ConfigError, InvalidPasskeyError, InvalidRequestError

__all__ = [
    "CHALLENGE_LIFETIME",
    "MAX_CREDENTIAL_ID",
    "Assertion",
    "NewCredential",
    "RelyingParty",
    "amr_of",
    "challenge_hash",
    "counter_went_back",
    "creation_options",
    "new_challenge",
    "parse_assertion",
    "parse_registration",
    "relying_party",
    "request_options",
    "signed_challenge",
    "verify_assertion",
    "verify_registration",
]

#: How long a ceremony's challenge lives, seconds.
CHALLENGE_LIFETIME = 300.0
#: WebAuthn §7.1: a longer credential id SHOULD fail the registration.
MAX_CREDENTIAL_ID = 1023
_TIMEOUT_MS = int(CHALLENGE_LIFETIME * 1000)


@dataclass(frozen=True, slots=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple[str, ...]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _on(host: str, rp_id: str) -> bool:
    return host == rp_id or host.endswith("." + rp_id)


def relying_party(
    *, rp_id: str | None, rp_name: str, origins: Sequence[str], issuer: str, app_url: str | None
) -> RelyingParty:
    """The relying party the settings describe. Given ``origins`` must each be
    ``scheme://host[:port]`` on the rp id or under it (``ConfigError`` else); by
    default the issuer's origin, and the app URL's when it is on the rp id too
    (an app elsewhere needs an rp id both are under: a browser refuses others)."""
    chosen = rp_id or (urlsplit(issuer).hostname or "")
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or _origin(origin) != origin.rstrip("/"):
            raise ConfigError("GATEPASS_WEBAUTHN_ORIGINS holds a value that is not an origin")
        if not _on(parts.hostname or "", chosen):
            raise ConfigError(
                f"Each WebAuthn origin must be on the relying party id {chosen!r} or under it"
            )
    defaults = (_origin(u) for u in (issuer, app_url) if u is not None)
    allowed = [o.rstrip("/") for o in origins] or [
        o for o in defaults if _on(urlsplit(o).hostname or "", chosen)
    ]
    return RelyingParty(chosen, rp_name, tuple(dict.fromkeys(allowed)))


def new_challenge() -> bytes:
    return secrets.token_bytes(32)


def challenge_hash(challenge: bytes) -> str:
    """The only form of a challenge the store keeps."""
    return hashlib.sha256(challenge).hexdigest()


def creation_options(
    rp: RelyingParty,
    *,
    user_id: str,
    user_name: str,
    exclude: Sequence[bytes],
    challenge: bytes,
) -> dict[str, Any]:
    """``PublicKeyCredentialCreationOptions`` as JSON (base64url for bytes)."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_id.encode("utf-8"),
        user_name=user_name,
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in exclude],
    )
    return options_to_json_dict(options)


def request_options(
    rp: RelyingParty, *, allow: Sequence[bytes], challenge: bytes, verify_user: bool
) -> dict[str, Any]:
    """``PublicKeyCredentialRequestOptions`` as JSON; ``allow`` empty for a
    discoverable login (the authenticator offers its own credentials)."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        allow_credentials=[PublicKeyCredentialDescriptor(id=c) for c in allow],
        user_verification=UserVerificationRequirement.REQUIRED
        if verify_user
        else UserVerificationRequirement.PREFERRED,
    )
    return options_to_json_dict(options)


def _shape(error: Exception) -> InvalidRequestError:
    del error  # py_webauthn's text may quote the input: never echoed
    return InvalidRequestError("The credential is not a WebAuthn credential in its JSON form")


def parse_registration(credential: Mapping[str, Any]) -> RegistrationCredential:
    try:
        return parse_registration_credential_json(dict(credential))
    except Exception as exc:  # any failure to read input is the one 422
        raise _shape(exc) from None


def parse_assertion(credential: Mapping[str, Any]) -> AuthenticationCredential:
    try:
        return parse_authentication_credential_json(dict(credential))
    except Exception as exc:
        raise _shape(exc) from None


def signed_challenge(client_data_json: bytes) -> bytes:
    """The challenge the browser signed; ``InvalidPasskeyError`` when unreadable, or
    when the ceremony ran in a frame of another origin (``crossOrigin``: gatepass's
    pages are never framed, WebAuthn §7.1 step 10 leaves it to the relying party)."""
    try:
        client_data = parse_client_data_json(client_data_json)
    except Exception:  # the bytes are the client's
        raise InvalidPasskeyError() from None
    if client_data.cross_origin:
        raise InvalidPasskeyError()
    return client_data.challenge


@dataclass(frozen=True, slots=True)
class NewCredential:
    credential_id: bytes
    public_key: bytes = field(repr=False)
    sign_count: int
    transports: tuple[str, ...]
    backup_eligible: bool
    backup_state: bool
    aaguid: str
    user_verified: bool


def verify_registration(
    rp: RelyingParty, credential: RegistrationCredential, *, challenge: bytes
) -> NewCredential:
    """What a ``navigator.credentials.create()`` answer proves; ``InvalidPasskeyError``
    when it does not verify (challenge, origin, rp id, attestation, key) or its credential
    id is over ``MAX_CREDENTIAL_ID`` bytes."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
        )
    except Exception:  # pure checks of client bytes: any failure is a refusal
        raise InvalidPasskeyError() from None
    if len(verified.credential_id) > MAX_CREDENTIAL_ID:
        raise InvalidPasskeyError()
    transports = credential.response.transports or []
    return NewCredential(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=tuple(str(t.value) for t in transports),
        backup_eligible=verified.credential_device_type is CredentialDeviceType.MULTI_DEVICE,
        backup_state=verified.credential_backed_up,
        aaguid=verified.aaguid,
        user_verified=verified.user_verified,
    )


@dataclass(frozen=True, slots=True)
class Assertion:
    sign_count: int
    backup_state: bool
    user_verified: bool


def verify_assertion(
    rp: RelyingParty,
    credential: AuthenticationCredential,
    *,
    challenge: bytes,
    public_key: bytes,
    verify_user: bool,
) -> Assertion:
    """What a ``navigator.credentials.get()`` answer proves (the counter is judged
    apart, ``counter_went_back``); ``InvalidPasskeyError`` when it does not verify."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=public_key,
            credential_current_sign_count=0,  # judged by counter_went_back, once verified
            require_user_verification=verify_user,
        )
    except Exception:
        raise InvalidPasskeyError() from None
    return Assertion(verified.new_sign_count, verified.credential_backed_up, verified.user_verified)


def counter_went_back(stored: int, presented: int) -> bool:
    """WebAuthn §6.1.1: the counter did not grow though one of them counts."""
    return (stored > 0 or presented > 0) and presented <= stored


def amr_of(*, backup_eligible: bool, user_verified: bool) -> tuple[str, ...]:
    """The RFC 8176 values of a passkey's use (see the module's docstring)."""
    key = "swk" if backup_eligible else "hwk"
    return (key, "user") if user_verified else (key,)
