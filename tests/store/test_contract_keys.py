"""The KeyStore contract, on every backend."""

from __future__ import annotations

import dataclasses

import pytest

from gatepass.errors import InvalidKeyError, NotFoundError
from gatepass.store import SigningKey, Store
from tests.store.contract import NOW


def signing_key(kid: str, created_at: float, status: str = "active") -> SigningKey:
    return SigningKey(
        kid=kid,
        alg="EdDSA",
        private_jwk='{"kty":"OKP","d":"private-part"}',
        public_jwk='{"kty":"OKP","x":"public-part"}',
        status=status,  # type: ignore[arg-type]
        created_at=created_at,
    )


async def test_signing_keys(store: Store) -> None:
    k2 = signing_key("k2", NOW + 1)
    k1 = signing_key("k1", NOW, "retiring")
    await store.add_signing_key(k2)
    await store.add_signing_key(k1)
    assert await store.list_signing_keys() == [k1, k2]
    assert await store.list_signing_keys(statuses=["active"]) == [k2]
    assert await store.list_signing_keys(statuses=["active", "retiring"]) == [k1, k2]
    assert await store.list_signing_keys(statuses=[]) == []
    with pytest.raises(InvalidKeyError):
        await store.add_signing_key(signing_key("k1", NOW))


async def test_set_signing_key_status(store: Store) -> None:
    await store.add_signing_key(signing_key("k1", NOW))
    retiring = await store.set_signing_key_status("k1", "retiring", retire_at=NOW + 900)
    assert (retiring.status, retiring.retire_at) == ("retiring", NOW + 900)
    retired = await store.set_signing_key_status("k1", "retired")
    assert (retired.status, retired.retire_at) == ("retired", NOW + 900)
    assert await store.list_signing_keys() == [retired]
    with pytest.raises(NotFoundError):
        await store.set_signing_key_status("missing", "retired")
    with pytest.raises(ValueError, match="status"):
        await store.set_signing_key_status("k1", "lost")  # type: ignore[arg-type]


async def test_replace_private_jwk_is_a_compare_and_set(store: Store) -> None:
    plain = signing_key("k1", NOW)
    await store.add_signing_key(plain)
    await store.add_signing_key(signing_key("k2", NOW + 1))
    assert await store.replace_private_jwk("k1", expected=plain.private_jwk, private_jwk="enc:a")
    # A second writer that read the plain value loses: its value is not stored.
    assert not await store.replace_private_jwk(
        "k1", expected=plain.private_jwk, private_jwk="enc:b"
    )
    assert not await store.replace_private_jwk("missing", expected="x", private_jwk="enc:c")
    k1, k2 = await store.list_signing_keys()
    assert k1 == dataclasses.replace(plain, private_jwk="enc:a")
    assert k2.private_jwk == plain.private_jwk  # the other row is untouched
