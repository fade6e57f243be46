"""Operator actions over a ``Store``: keys, users and sessions (what ``gatepass`` runs).

Each function is one action and writes its audit event. Times are passed in
(``now``, epoch seconds), as everywhere in the store. Actions that must end a
user's live access tokens (disable, set-password, revoke-all) revoke the
user's sessions AND add a ``user`` denylist entry that lasts one access-token
lifetime (``gatepass.revocation.revoke.revoke_user``, shared with the server), so
resource servers that only see the revocation feed refuse the tokens too;
revoking one session denylists that session the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gatepass.errors import ConfigError, NotFoundError
from gatepass.jose import Key, KeySet
from gatepass.kek import configured_key, key_encryption_key, wrong_key
from gatepass.mail.messages import RESET_PAGE, MailWriter
from gatepass.revocation.revoke import revoke_user as revoke_everything
from gatepass.settings import Settings, check_secret_strength
from gatepass.store.passkeys import Passkey
from gatepass.store.protocols import Store
from gatepass.store.records import CONTROL_CHARACTERS, Session, SigningKey, User, normalise_email
from gatepass.tokens import onetime
from gatepass.tokens.keyring import (
    is_sealed,
    new_signing_record,
    open_private_jwk,
    seal_private_jwk,
    usable_records,
)

__all__ = [
    "RETIRE_MARGIN",
    "Rotation",
    "check_new_user",
    "create_user",
    "export_jwks",
    "find_user",
    "list_sessions",
    "revoke_session",
    "revoke_user",
    "rewrap_signing_keys",
    "rotate_signing_key",
    "set_disabled",
    "set_password",
]

#: Seconds a retiring key keeps verifying after the last token it signed expired
#: (clock skew between the auth server and its resource servers).
RETIRE_MARGIN = 60


@dataclass(frozen=True, slots=True)
class Rotation:
    """The key that now signs, the keys that retire, and those retired at last."""

    active: SigningKey
    retiring: tuple[SigningKey, ...]
    retired: tuple[str, ...]


def _refuse_hs256(settings: Settings) -> None:
    if settings.jwt_secret is not None:
        raise ConfigError(
            "GATEPASS_JWT_SECRET is set: tokens are HS256 with that secret and there are no "
            "signing keys to manage; unset it to use rotating public keys"
        )


async def rotate_signing_key(
    store: Store, settings: Settings, now: float, alg: str | None = None
) -> Rotation:
    """A new ``active`` key; the previous active key becomes ``retiring``.

    The new key is for ``alg``, or ``GATEPASS_SIGNING_ALG`` when not given; the
    retiring keys keep their own algorithm, so a rotation from one algorithm to
    another leaves every issued token verifiable until it expires.

    The retiring key stays in the JWKS until ``now + access_ttl + RETIRE_MARGIN``
    (every token it signed has expired by then). Retiring keys already past
    their ``retire_at`` become ``retired``. The new key is added before the old
    one is demoted, so a server reading in between sees two active keys (the
    newest signs), never a keyring without one. Running servers pick the new
    key up within ``GATEPASS_KEY_SYNC`` seconds.
    """
    _refuse_hs256(settings)
    kek = await key_encryption_key(settings, store)
    current = await store.list_signing_keys(statuses=("active", "retiring"))
    _, record = new_signing_record(now, kek, alg or settings.signing_alg)
    await store.add_signing_key(record)
    retire_at = now + settings.access_ttl + RETIRE_MARGIN
    retiring: list[SigningKey] = []
    retired: list[str] = []
    for key in current:
        if key.status == "active":
            retiring.append(
                await store.set_signing_key_status(key.kid, "retiring", retire_at=retire_at)
            )
        elif key.retire_at is not None and key.retire_at <= now:
            await store.set_signing_key_status(key.kid, "retired")
            retired.append(key.kid)
    await store.add_audit_event(
        "key_rotated",
        at=now,
        detail={
            "kid": record.kid,
            "alg": record.alg,
            "retiring": [k.kid for k in retiring],
            "retired": retired,
        },
    )
    return Rotation(record, tuple(retiring), tuple(retired))


async def rewrap_signing_keys(store: Store, settings: Settings, new_key: str, now: float) -> int:
    """Re-encrypt every stored signing key under ``new_key``; how many were re-encrypted.

    The configured key-encryption key opens them. A key already under
    ``new_key`` (a run that stopped half-way) is left as it is, so running
    again finishes the job. Run it with the servers stopped, then give them
    ``new_key``: a server with the old one refuses to start.
    """
    _refuse_hs256(settings)
    check_secret_strength(new_key, "The new key-encryption key")
    records = await store.list_signing_keys()
    old, source = await configured_key(settings, store, records)
    count = 0
    for record in records:
        stored = record.private_jwk
        if is_sealed(stored) and _opens(stored, new_key, record.kid):
            continue
        if not _opens(stored, old, record.kid):
            raise wrong_key(source)
        plain = open_private_jwk(stored, old, record.kid)
        rewrapped = seal_private_jwk(plain, new_key, record.kid)
        if not await store.replace_private_jwk(record.kid, expected=stored, private_jwk=rewrapped):
            raise ConfigError("A signing key changed during the rewrap (is a server running?)")
        count += 1
    if not all(_opens(r.private_jwk, new_key, r.kid) for r in await store.list_signing_keys()):
        raise ConfigError("A signing key was added during the rewrap: run it again")
    await store.add_audit_event("keys_rewrapped", at=now, detail={"count": count})
    return count


def _opens(stored: str, key: str, kid: str) -> bool:
    try:
        open_private_jwk(stored, key, kid)
    except ConfigError:
        return False
    return True


async def export_jwks(
    store: Store, settings: Settings, now: float, *, private: bool = False
) -> dict[str, Any]:
    """The JWKS a server would publish now (private members only when asked)."""
    _refuse_hs256(settings)
    records = usable_records(await store.list_signing_keys(statuses=("active", "retiring")), now)
    if not records:
        raise NotFoundError("There are no signing keys yet: start the server or rotate once")
    if not private:
        return {"keys": [json.loads(r.public_jwk) for r in records]}
    kek = await key_encryption_key(settings, store)
    keys = KeySet(
        Key.import_jwk(json.loads(open_private_jwk(r.private_jwk, kek, r.kid))) for r in records
    )
    return keys.export_jwks(private=True)


# --- users ----------------------------------------------------------------------


async def find_user(store: Store, ref: str) -> User:
    """A user by email (contains ``@``) or id; ``NotFoundError`` otherwise."""
    ref = ref.strip()
    user = await (store.get_user_by_email(ref) if "@" in ref else store.get_user(ref))
    if user is None:
        raise NotFoundError("No such user")
    return user


def check_new_user(email: str, role: str) -> str:
    """The email to store (normalised: the server's rule, so the user can log in);
    ``InvalidEmailError`` or ValueError (fixed text) for what the server would refuse."""
    email = normalise_email(email)
    if not role or len(role) > 64 or role != role.strip() or CONTROL_CHARACTERS.search(role):
        raise ValueError("the role must be 1 to 64 characters, without control characters")
    return email


async def create_user(
    store: Store, email: str, password_hash: str, *, role: str, now: float
) -> User:
    email = check_new_user(email, role)
    user = await store.create_user(email, password_hash, now=now, role=role)
    await store.add_audit_event("user_created", at=now, user_id=user.id, detail={"by": "cli"})
    return user


async def revoke_user(
    store: Store, settings: Settings, user: User, now: float, reason: str
) -> list[str]:
    """End every session of ``user`` and denylist their live access tokens.

    Returns the ids of the sessions that were live.
    """
    live = await revoke_everything(store, user.id, now, settings.access_ttl, reason)
    await store.add_audit_event(
        "sessions_revoked",
        at=now,
        user_id=user.id,
        detail={"reason": reason, "count": len(live)},
    )
    return live


async def set_disabled(
    store: Store, settings: Settings, user: User, disabled: bool, now: float
) -> User:
    """Disable (and end every session and token of) a user, or enable them again."""
    updated = await store.update_user(user.id, disabled=disabled)
    await store.add_audit_event(
        "user_disabled" if disabled else "user_enabled", at=now, user_id=user.id
    )
    if disabled:
        await revoke_user(store, settings, user, now, "user_disabled")
    return updated


async def set_password(
    store: Store, settings: Settings, user: User, password_hash: str, now: float
) -> User:
    """Store a new password's hash (the caller checked the policy and hashed it, as for
    ``create_user``); the user's sessions and live tokens end."""
    updated = await store.update_user(user.id, password_hash=password_hash)
    await store.add_audit_event("password_set", at=now, user_id=user.id, detail={"by": "cli"})
    await revoke_user(store, settings, user, now, "password_set")
    return updated


async def mark_verified(store: Store, user: User, now: float) -> User:
    """Mark the user's address verified, as its verification link would (audited)."""
    updated = await store.update_user(user.id, email_verified=True)
    await store.add_audit_event("email_verified", at=now, user_id=user.id, detail={"by": "cli"})
    return updated


async def reset_link(store: Store, settings: Settings, user: User, now: float) -> str:
    """A password-reset link for an operator to pass on: the link the reset mail would
    carry (30 minutes, once), pointing under ``GATEPASS_APP_URL``; audited."""
    if user.disabled:
        raise ValueError("the user is disabled: enable them first")
    issued = onetime.mint("reset_password", user, now)
    await store.save_account_token(issued.record)
    await store.add_audit_event(
        "password_reset_link", at=now, user_id=user.id, detail={"by": "cli"}
    )
    return MailWriter.for_config(settings.mail_config).link(RESET_PAGE, issued.token)


@dataclass(frozen=True, slots=True)
class MfaStatus:
    """A user's second factors, as an operator may see them (never a secret)."""

    totp: str  # "on", "pending" (set up, never confirmed) or "off"
    recovery_codes: int
    passkeys: tuple[Passkey, ...]


async def mfa_status(store: Store, user: User) -> MfaStatus:
    factor = await store.get_totp(user.id)
    state = "off" if factor is None else "on" if factor.confirmed else "pending"
    passkeys = tuple(await store.list_passkeys(user.id))
    return MfaStatus(state, await store.count_recovery_codes(user.id), passkeys)


async def reset_mfa(store: Store, user: User, now: float) -> bool:
    """Remove the user's TOTP factor, recovery codes and passkeys (a user who lost them
    signs in with the password alone, then sets up new ones); audited. True when
    there was any."""
    totp = await store.delete_totp(user.id)
    passkeys = await store.delete_passkeys(user.id)
    removed = totp or passkeys > 0
    detail = {"by": "cli", "removed": removed, "passkeys": passkeys}
    await store.add_audit_event("mfa_reset", at=now, user_id=user.id, detail=detail)
    return removed


# --- sessions -------------------------------------------------------------------


async def list_sessions(
    store: Store,
    now: float,
    *,
    user: User | None = None,
    active_only: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> list[Session]:
    return await store.list_sessions(
        now=now,
        user_id=None if user is None else user.id,
        active_only=active_only,
        limit=limit,
        offset=offset,
    )


async def revoke_session(store: Store, settings: Settings, session_id: str, now: float) -> bool:
    """Revoke one session and denylist its access tokens; False when it was not live."""
    session = await store.get_session(session_id)
    if session is None:
        raise NotFoundError("No such session")
    live = await store.revoke_session(
        session_id, now=now, reason="revoked_by_admin", denylist_until=now + settings.access_ttl
    )
    if live:
        await store.add_audit_event(
            "session_revoked",
            at=now,
            user_id=session.user_id,
            session_id=session_id,
            detail={"by": "cli"},
        )
    return live
