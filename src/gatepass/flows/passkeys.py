"""A signed-in user's passkeys: registering one, listing, renaming, removing.

``registration_options`` makes the ceremony's challenge (kept by hash, 5
minutes, bound to the user) and the ``PublicKeyCredentialCreationOptions``,
with the user's passkeys excluded (an authenticator holds one per account).
``register_passkey`` spends the challenge the browser signed (read from its
``clientDataJSON``), has py_webauthn verify the answer
(``gatepass.tokens.passkey``) and keeps the credential; audited
``passkey_added``. Removal is audited ``passkey_removed``. A name (given at
registration or by a rename) is shown back as text by the console, the CLI
and the audit listings: ``checked_name`` refuses one that is blank, longer
than ``MAX_NAME``, padded with spaces, or holds a character that hides or
reorders the text around it (``store.records.CONTROL_CHARACTERS``). A user sees and
changes only their own passkeys: another's id is ``NotFoundError``, as an
unknown one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatepass.clock import Clock
from gatepass.errors import (
    InvalidPasskeyError,
    InvalidRequestError,
    InvalidTokenError,
    NotFoundError,
)
from gatepass.store.passkeys import Ceremony, Passkey, PasskeyChallenge
from gatepass.store.protocols import Store
from gatepass.store.records import CONTROL_CHARACTERS, User, new_id
from gatepass.store.rotation import Requester
from gatepass.tokens import passkey as webauthn
from gatepass.tokens.passkey import RelyingParty

__all__ = [
    "DEFAULT_NAME",
    "MAX_NAME",
    "audit_passkey",
    "checked_name",
    "delete_passkey",
    "new_ceremony",
    "register_passkey",
    "registration_options",
    "rename_passkey",
    "spend_ceremony",
]

DEFAULT_NAME = "Passkey"
MAX_NAME = 64


def checked_name(name: str) -> str:
    """``name`` when it shows as itself (see the module docstring); ``InvalidRequestError``
    (the name never echoed) when not."""
    if (
        not name.strip()
        or len(name) > MAX_NAME
        or name != name.strip()
        or CONTROL_CHARACTERS.search(name)
    ):
        raise InvalidRequestError(
            f"A passkey's name is 1 to {MAX_NAME} characters of printable text,"
            " without spaces around it"
        )
    return name


async def new_ceremony(store: Store, ceremony: Ceremony, user_id: str | None, now: float) -> bytes:
    """A fresh challenge for ``ceremony``, kept by its hash until it is used or expires."""
    challenge = webauthn.new_challenge()
    record = PasskeyChallenge(
        webauthn.challenge_hash(challenge), ceremony, user_id, now + webauthn.CHALLENGE_LIFETIME
    )
    await store.save_passkey_challenge(record, now=now)
    return challenge


async def spend_ceremony(
    store: Store, client_data_json: bytes, ceremony: Ceremony, user_id: str | None, now: float
) -> bytes:
    """Spend the challenge a browser signed: it, or ``InvalidPasskeyError`` when it
    is unknown, spent, expired, of another ceremony or another user's."""
    challenge = webauthn.signed_challenge(client_data_json)
    record = await store.consume_passkey_challenge(
        webauthn.challenge_hash(challenge), ceremony, now=now
    )
    if record is None or record.user_id != user_id:
        raise InvalidPasskeyError()
    return challenge


async def _live_user(store: Store, user_id: str) -> User:
    user = await store.get_user(user_id)
    if user is None or user.disabled:
        raise InvalidTokenError()
    return user


async def registration_options(
    store: Store, rp: RelyingParty, *, user_id: str, clock: Clock
) -> dict[str, Any]:
    """The options for ``navigator.credentials.create()``."""
    user = await _live_user(store, user_id)
    challenge = await new_ceremony(store, "register", user.id, clock())
    existing = [p.credential_id for p in await store.list_passkeys(user.id)]
    return webauthn.creation_options(
        rp, user_id=user.id, user_name=user.email, exclude=existing, challenge=challenge
    )


async def register_passkey(
    store: Store,
    rp: RelyingParty,
    *,
    user_id: str,
    credential: Mapping[str, Any],
    name: str | None,
    requester: Requester,
    clock: Clock,
) -> Passkey:
    """Keep the passkey a ``navigator.credentials.create()`` answer made.
    ``InvalidRequestError`` for a shape no browser sends, ``InvalidPasskeyError``
    for one that does not verify, ``PasskeyExistsError`` for a known credential."""
    user, now = await _live_user(store, user_id), clock()
    chosen = DEFAULT_NAME if name is None else checked_name(name)
    parsed = webauthn.parse_registration(credential)
    challenge = await spend_ceremony(
        store, parsed.response.client_data_json, "register", user.id, now
    )
    made = webauthn.verify_registration(rp, parsed, challenge=challenge)
    passkey = Passkey(
        id=new_id(),
        user_id=user.id,
        credential_id=made.credential_id,
        public_key=made.public_key,
        sign_count=made.sign_count,
        transports=made.transports,
        backup_eligible=made.backup_eligible,
        backup_state=made.backup_state,
        aaguid=made.aaguid,
        name=chosen,
        created_at=now,
    )
    await store.add_passkey(passkey)
    await audit_passkey(store, "passkey_added", passkey, requester, now)
    return passkey


async def rename_passkey(store: Store, *, user_id: str, passkey_id: str, name: str) -> Passkey:
    renamed = await store.rename_passkey(user_id, passkey_id, checked_name(name))
    if renamed is None:
        raise NotFoundError("No such passkey")
    return renamed


async def delete_passkey(
    store: Store, *, user_id: str, passkey_id: str, requester: Requester, clock: Clock
) -> None:
    owned = {p.id: p for p in await store.list_passkeys(user_id)}
    passkey = owned.get(passkey_id)
    if passkey is None or not await store.delete_passkey(user_id, passkey_id):
        raise NotFoundError("No such passkey")
    await audit_passkey(store, "passkey_removed", passkey, requester, clock())


async def audit_passkey(
    store: Store,
    event: str,
    passkey: Passkey,
    requester: Requester,
    now: float,
    **detail: Any,
) -> None:
    """An audit row naming the passkey (its id and authenticator model, never key material)."""
    await store.add_audit_event(
        event,
        at=now,
        user_id=passkey.user_id,
        ip=requester.ip,
        user_agent=requester.user_agent,
        detail={"passkey_id": passkey.id, "aaguid": passkey.aaguid, **detail},
    )
