"""gatepass.admin over the memory store: rotation windows, refusals and audit events."""

from __future__ import annotations

import json
import secrets

import pytest

from gatepass import admin
from gatepass.errors import ConfigError, NotFoundError
from gatepass.jose import Key
from gatepass.kek import key_encryption_key
from gatepass.settings import Secret, Settings
from gatepass.store import MemoryStore
from gatepass.tokens.keyring import Keyring, open_private_jwk, seal_private_jwk

NOW = 1_700_000_000.0


async def test_rotation_retires_the_active_key_after_one_access_ttl() -> None:
    store, settings = MemoryStore(), Settings(access_ttl=600)
    first = await admin.rotate_signing_key(store, settings, NOW)
    assert (first.retiring, first.retired) == ((), ())
    second = await admin.rotate_signing_key(store, settings, NOW + 10)
    [old] = second.retiring
    assert (old.kid, old.status) == (first.active.kid, "retiring")
    assert old.retire_at == NOW + 10 + 600 + admin.RETIRE_MARGIN
    kek = await key_encryption_key(settings, store)
    keyring = Keyring.from_records(await store.list_signing_keys(), kek, NOW + 20)
    assert keyring.active.kid == second.active.kid
    assert {k.kid for k in keyring.verifying} == {first.active.kid, second.active.kid}
    # Past its window, the next rotation retires it for good.
    third = await admin.rotate_signing_key(store, settings, NOW + 10_000)
    assert third.retired == (first.active.kid,)
    statuses = {k.kid: k.status for k in await store.list_signing_keys()}
    assert statuses == {
        first.active.kid: "retired",
        second.active.kid: "retiring",
        third.active.kid: "active",
    }
    events = [e for e in await store.list_audit_events() if e.event == "key_rotated"]
    assert len(events) == 3
    assert events[0].detail["kid"] == third.active.kid


async def test_rotation_uses_the_configured_or_the_given_algorithm() -> None:
    store, settings = MemoryStore(), Settings(signing_alg="PS256")
    first = await admin.rotate_signing_key(store, settings, NOW)
    assert first.active.alg == "PS256"
    second = await admin.rotate_signing_key(store, settings, NOW + 1, "EdDSA")
    assert second.active.alg == "EdDSA"
    assert [k.alg for k in second.retiring] == ["PS256"]  # it keeps its own algorithm
    jwks = await admin.export_jwks(store, settings, NOW + 2)
    assert sorted(k["alg"] for k in jwks["keys"]) == ["EdDSA", "PS256"]
    (event, _) = [e for e in await store.list_audit_events() if e.event == "key_rotated"]
    assert event.detail["alg"] == "EdDSA"
    with pytest.raises(ConfigError, match="must be one of"):
        await admin.rotate_signing_key(store, settings, NOW + 3, "HS256")
    assert len(await store.list_signing_keys()) == 2  # the refused rotation wrote nothing


async def test_exported_jwks_follow_the_verification_window() -> None:
    store, settings = MemoryStore(), Settings()
    with pytest.raises(NotFoundError):
        await admin.export_jwks(store, settings, NOW)
    first = await admin.rotate_signing_key(store, settings, NOW)
    second = await admin.rotate_signing_key(store, settings, NOW + 1)
    public = await admin.export_jwks(store, settings, NOW + 2)
    assert [k["kid"] for k in public["keys"]] == [first.active.kid, second.active.kid]
    later = await admin.export_jwks(store, settings, NOW + 1 + 900 + admin.RETIRE_MARGIN)
    assert [k["kid"] for k in later["keys"]] == [second.active.kid]
    private = await admin.export_jwks(store, settings, NOW + 2, private=True)
    assert Key.import_jwk(private["keys"][1]).is_private


async def test_sealed_keys_need_the_key_encryption_key() -> None:
    store = MemoryStore()
    kek = Settings(key_encryption_key=Secret("kX3w9pQ2vZr7Lm4Tn8Yb1Hc6Jd0Fg5Sa_Ue2Wi9Ro3"))
    rotation = await admin.rotate_signing_key(store, kek, NOW)
    assert rotation.active.private_jwk.startswith("enc:v1:")
    assert "d" in json.dumps(await admin.export_jwks(store, kek, NOW, private=True))
    with pytest.raises(ConfigError):
        await admin.export_jwks(store, Settings(), NOW, private=True)


async def test_rotated_keys_are_sealed_without_a_key_encryption_key_setting() -> None:
    store = MemoryStore()
    rotation = await admin.rotate_signing_key(store, Settings(), NOW)
    assert rotation.active.private_jwk.startswith("enc:v1:")
    private = await admin.export_jwks(store, Settings(), NOW, private=True)
    assert Key.import_jwk(private["keys"][0]).kid == rotation.active.kid


async def test_rewrap_moves_every_key_to_the_new_key_encryption_key() -> None:
    store = MemoryStore()
    old_key, new_key = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    old = Settings(key_encryption_key=Secret(old_key))
    new = Settings(key_encryption_key=Secret(new_key))
    first = await admin.rotate_signing_key(store, old, NOW)
    await admin.rotate_signing_key(store, old, NOW + 1)
    before = await admin.export_jwks(store, old, NOW + 2, private=True)
    # A run that stopped half-way left the first key under the new key already.
    plain = open_private_jwk(first.active.private_jwk, old_key, first.active.kid)
    halfway = seal_private_jwk(plain, new_key, first.active.kid)
    assert await store.replace_private_jwk(
        first.active.kid, expected=first.active.private_jwk, private_jwk=halfway
    )
    assert await admin.rewrap_signing_keys(store, old, new_key, NOW + 3) == 1
    assert await admin.export_jwks(store, new, NOW + 3, private=True) == before
    with pytest.raises(ConfigError, match="does not open the stored signing keys"):
        await admin.export_jwks(store, old, NOW + 3, private=True)
    assert await admin.rewrap_signing_keys(store, old, new_key, NOW + 4) == 0  # done already
    events = [e for e in await store.list_audit_events() if e.event == "keys_rewrapped"]
    assert [e.detail for e in events] == [{"count": 0}, {"count": 1}]


async def test_rewrap_refuses_a_weak_new_key_and_a_wrong_current_one() -> None:
    store = MemoryStore()
    settings = Settings(key_encryption_key=Secret(secrets.token_urlsafe(32)))
    await admin.rotate_signing_key(store, settings, NOW)
    with pytest.raises(ConfigError, match="The new key-encryption key"):
        await admin.rewrap_signing_keys(store, settings, "changeme", NOW)
    wrong = Settings(key_encryption_key=Secret(secrets.token_urlsafe(32)))
    with pytest.raises(ConfigError, match="does not open the stored signing keys"):
        await admin.rewrap_signing_keys(store, wrong, secrets.token_urlsafe(32), NOW)


async def test_hs256_mode_refuses_key_operations() -> None:
    settings = Settings(jwt_secret=Secret("kX3w9pQ2vZr7Lm4Tn8Yb1Hc6Jd0Fg5Sa_Ue2Wi9Ro3"))
    with pytest.raises(ConfigError, match="GATEPASS_JWT_SECRET is set"):
        await admin.rotate_signing_key(MemoryStore(), settings, NOW)


async def test_revoke_user_and_find_user() -> None:
    store, settings = MemoryStore(), Settings(access_ttl=300)
    user = await store.create_user("ada@example.com", "h", now=NOW)
    assert await admin.find_user(store, " ADA@example.com ") == user
    assert await admin.find_user(store, user.id) == user
    with pytest.raises(NotFoundError):
        await admin.find_user(store, "nobody@example.com")
    session = await store.create_session(user.id, now=NOW, expires_at=NOW + 3600)
    assert await admin.revoke_user(store, settings, user, NOW + 5, "test") == [session.id]
    [entry] = await store.live_revocations(now=NOW + 5)
    assert (entry.kind, entry.subject, entry.not_before, entry.expires_at) == (
        "user",
        user.id,
        NOW + 5,
        NOW + 305,
    )
