"""Registering passkeys and managing them, on the memory store with a software authenticator."""

from __future__ import annotations

from typing import Any

import pytest

from gatepass.errors import (
    InvalidPasskeyError,
    InvalidRequestError,
    InvalidTokenError,
    NotFoundError,
    PasskeyExistsError,
)
from gatepass.flows import passkeys
from gatepass.store.protocols import Store
from gatepass.tokens.passkey import CHALLENGE_LIFETIME
from tests.authenticator import SoftAuthenticator, unb64u
from tests.clock import Clock
from tests.flows.conftest import EMAIL, PASSWORD, WHO, events
from tests.flows.passkey_helpers import RP, add_passkey, with_passkey


async def options_for(store: Store, clock: Clock, user_id: str) -> dict[str, Any]:
    return await passkeys.registration_options(store, RP, user_id=user_id, clock=clock)


async def register(store: Store, clock: Clock, user_id: str, credential: dict[str, Any]) -> None:
    await passkeys.register_passkey(
        store, RP, user_id=user_id, credential=credential, name=None, requester=WHO, clock=clock
    )


async def test_options_ask_for_a_discoverable_credential_and_exclude_the_users(
    store: Store, clock: Clock
) -> None:
    done = await with_passkey(store, clock)
    options = await options_for(store, clock, done.user.id)
    assert options["rp"] == {"id": "auth.test", "name": "gatepass tests"}
    assert unb64u(options["user"]["id"]) == done.user.id.encode()
    assert options["user"]["name"] == EMAIL
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert [unb64u(c["id"]) for c in options["excludeCredentials"]] == [done.passkey.credential_id]
    assert len(unb64u(options["challenge"])) == 32


async def test_a_registration_keeps_the_key_flags_and_audits(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock, backup_eligible=True)
    key = done.passkey
    stored = done.authenticator.credentials[key.credential_id]
    assert key.user_id == done.user.id
    assert key.name == "Laptop"
    assert key.transports == ("internal",)
    assert (key.backup_eligible, key.backup_state) == (True, True)
    assert key.aaguid == "00010203-0405-0607-0809-0a0b0c0d0e0f"
    assert key.sign_count == 0
    assert stored.user_handle == done.user.id.encode()
    assert await store.list_passkeys(done.user.id) == [key]
    assert await events(store) == ["passkey_added"]
    (event,) = await store.list_audit_events()
    assert event.detail == {"passkey_id": key.id, "aaguid": key.aaguid}


async def test_no_name_is_the_default_one(store: Store, clock: Clock) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    options = await options_for(store, clock, user.id)
    await register(store, clock, user.id, SoftAuthenticator().create(options))
    (key,) = await store.list_passkeys(user.id)
    assert key.name == passkeys.DEFAULT_NAME


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"origin": "https://evil.test"}, "an origin not in the relying party's"),
        ({"rp_id": "evil.test"}, "another rp id"),
        ({"challenge": "AAAA" * 11}, "a challenge the server never made"),
    ],
)
async def test_a_registration_for_something_else_is_refused(
    store: Store, clock: Clock, change: dict[str, Any], why: str
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    options = await options_for(store, clock, user.id)
    with pytest.raises(InvalidPasskeyError):
        await register(store, clock, user.id, SoftAuthenticator().create(options, **change))
    assert await store.count_passkeys(user.id) == 0, why


async def test_a_credential_id_over_1023_bytes_is_refused(store: Store, clock: Clock) -> None:
    """WebAuthn §7.1: a longer id SHOULD fail the ceremony (it is stored, listed and sent
    back in every ceremony's options)."""
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    authenticator = SoftAuthenticator()
    options = await options_for(store, clock, user.id)
    with pytest.raises(InvalidPasskeyError):
        await register(
            store, clock, user.id, authenticator.create(options, credential_id=b"\1" * 1024)
        )
    options = await options_for(store, clock, user.id)
    await register(store, clock, user.id, authenticator.create(options, credential_id=b"\1" * 1023))
    assert [len(p.credential_id) for p in await store.list_passkeys(user.id)] == [1023]


async def test_a_registration_challenge_is_used_once_and_only_in_time(
    store: Store, clock: Clock
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    options = await options_for(store, clock, user.id)
    authenticator = SoftAuthenticator()
    await register(store, clock, user.id, authenticator.create(options))
    with pytest.raises(InvalidPasskeyError):  # the same challenge again
        await register(store, clock, user.id, authenticator.create(options))
    late = await options_for(store, clock, user.id)
    clock.now += CHALLENGE_LIFETIME
    with pytest.raises(InvalidPasskeyError):
        await register(store, clock, user.id, authenticator.create(late))
    assert await store.count_passkeys(user.id) == 1


async def test_another_users_challenge_does_not_register(store: Store, clock: Clock) -> None:
    alice = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    bob = await store.create_user("bob@example.com", f"plain:{PASSWORD}", now=clock())
    options = await options_for(store, clock, alice.id)
    with pytest.raises(InvalidPasskeyError):
        await register(store, clock, bob.id, SoftAuthenticator().create(options))
    assert await store.count_passkeys(bob.id) == 0


async def test_the_same_credential_twice_is_a_conflict(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    options = await options_for(store, clock, done.user.id)
    # an authenticator ignoring excludeCredentials, answering with a known id
    again = SoftAuthenticator().create(options, credential_id=done.passkey.credential_id)
    with pytest.raises(PasskeyExistsError):
        await register(store, clock, done.user.id, again)
    assert await store.count_passkeys(done.user.id) == 1


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"id": "x", "rawId": "x", "type": "public-key", "response": {}},
        {"id": "x", "rawId": "x", "type": "other", "response": {"clientDataJSON": "e30"}},
        {
            "id": "x",
            "rawId": 5,
            "type": "public-key",
            "response": {"clientDataJSON": "e30", "attestationObject": "e30"},
        },
    ],
)
async def test_a_shape_no_browser_sends_is_a_bad_request(
    store: Store, clock: Clock, credential: dict[str, Any]
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    await options_for(store, clock, user.id)
    with pytest.raises(InvalidRequestError):
        await register(store, clock, user.id, credential)


async def test_garbage_of_the_right_shape_is_refused_not_crashed(
    store: Store, clock: Clock
) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    options = await options_for(store, clock, user.id)
    good = SoftAuthenticator().create(options)
    good["response"]["attestationObject"] = "oWNmbXRkbm9uZQ"  # CBOR {"fmt": "none"}
    with pytest.raises(InvalidPasskeyError):
        await register(store, clock, user.id, good)
    bad_client_data = SoftAuthenticator().create(options)
    bad_client_data["response"]["clientDataJSON"] = "bm90IGpzb24"  # "not json"
    with pytest.raises(InvalidPasskeyError):
        await register(store, clock, user.id, bad_client_data)


async def test_a_disabled_or_missing_user_gets_no_options(store: Store, clock: Clock) -> None:
    user = await store.create_user(EMAIL, f"plain:{PASSWORD}", now=clock())
    await store.update_user(user.id, disabled=True)
    with pytest.raises(InvalidTokenError):
        await options_for(store, clock, user.id)
    with pytest.raises(InvalidTokenError):
        await options_for(store, clock, "0" * 32)


async def test_rename_and_delete_only_the_owners(store: Store, clock: Clock) -> None:
    alice = await with_passkey(store, clock)
    bob = await with_passkey(store, clock, email="bob@example.com")
    with pytest.raises(NotFoundError):
        await passkeys.rename_passkey(
            store, user_id=bob.user.id, passkey_id=alice.passkey.id, name="mine"
        )
    with pytest.raises(NotFoundError):
        await passkeys.delete_passkey(
            store, user_id=bob.user.id, passkey_id=alice.passkey.id, requester=WHO, clock=clock
        )
    renamed = await passkeys.rename_passkey(
        store, user_id=alice.user.id, passkey_id=alice.passkey.id, name="Phone"
    )
    assert renamed.name == "Phone"
    await passkeys.delete_passkey(
        store, user_id=alice.user.id, passkey_id=alice.passkey.id, requester=WHO, clock=clock
    )
    assert await store.count_passkeys(alice.user.id) == 0
    assert await store.count_passkeys(bob.user.id) == 1
    assert (await events(store))[-1] == "passkey_removed"


# A name is shown back as text (console, CLI, audit listings): none that hides or
# reorders what is around it, breaks a line, or is blank.
_BAD_NAMES = ["a\nb", "a\x85b", "a\u202eb", "a\u2066b", "a\u2028b", "   ", " Phone", "Phone "]


@pytest.mark.parametrize("name", _BAD_NAMES)
async def test_a_name_that_would_not_show_as_itself_is_refused(
    store: Store, clock: Clock, name: str
) -> None:
    done = await with_passkey(store, clock)
    with pytest.raises(InvalidRequestError):
        await passkeys.rename_passkey(
            store, user_id=done.user.id, passkey_id=done.passkey.id, name=name
        )
    options = await options_for(store, clock, done.user.id)
    with pytest.raises(InvalidRequestError):
        await passkeys.register_passkey(
            store,
            RP,
            user_id=done.user.id,
            credential=SoftAuthenticator().create(options),
            name=name,
            requester=WHO,
            clock=clock,
        )
    assert [p.name for p in await store.list_passkeys(done.user.id)] == ["Laptop"]


async def test_a_name_may_hold_any_printable_text(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    name = "Ada’s phone \U0001f469\u200d\U0001f4bb"  # an emoji sequence keeps its joiner
    renamed = await passkeys.rename_passkey(
        store, user_id=done.user.id, passkey_id=done.passkey.id, name=name
    )
    assert renamed.name == name


async def test_a_second_passkey_of_one_user(store: Store, clock: Clock) -> None:
    done = await with_passkey(store, clock)
    clock.now += 1
    await add_passkey(store, clock, done.user, SoftAuthenticator(), name="Key")
    assert [p.name for p in await store.list_passkeys(done.user.id)] == ["Laptop", "Key"]
