"""RFC 7520 §5.1-5.9 (and §6 nesting, RFC 8037 X25519) from the JOSE cookbook.

Every example whose algorithms gatepass offers decrypts to the cookbook's
plaintext; RSA1_5 (§5.1) is refused with ``alg_not_allowed``; PBES2 (§5.3) is
refused unless enabled by name and then decrypts; ``zip`` (§5.9) is refused
unless allowed and then decrypts.
"""

from __future__ import annotations

from typing import Any

import pytest

from gatepass.errors import AlgorithmNotAllowedError, UnsupportedHeaderError
from gatepass.jose import Key, jws
from gatepass.jose._b64 import b64encode
from gatepass.jose.jwe import ENCRYPTIONS, KEY_ALGORITHMS, PBES2_ALGORITHMS, decrypt, nested
from tests.jose.jwe.conftest import VECTORS, load_json

OFFERED_ALGS = sorted(set(KEY_ALGORITHMS) - PBES2_ALGORITHMS)
ALL_ENCS = sorted(ENCRYPTIONS)


def _example(number: int) -> dict[str, Any]:
    (path,) = (VECTORS / "jose-cookbook" / "jwe").glob(f"5_{number}.*.json")
    data: dict[str, Any] = load_json(str(path.relative_to(VECTORS)))
    return data


def _key(example: dict[str, Any]) -> Key:
    given = example["input"]
    if "pwd" in given:
        return Key.import_jwk({"kty": "oct", "k": b64encode(given["pwd"].encode("utf-8"))})
    return Key.import_jwk(given["key"])


@pytest.mark.parametrize("number", [2, 4, 5, 6, 7, 8])
def test_rfc7520_example_decrypts(number: int) -> None:
    example = _example(number)
    header, plaintext = decrypt(
        example["output"]["compact"],
        _key(example),
        algorithms=[example["input"]["alg"]],
        encryptions=[example["input"]["enc"]],
    )
    assert plaintext == example["input"]["plaintext"].encode("utf-8")
    assert header["alg"] == example["input"]["alg"]


@pytest.mark.parametrize("number", [2, 4, 5, 6, 7, 8])
def test_rfc7520_example_refused_when_its_alg_is_not_listed(number: int) -> None:
    example = _example(number)
    others = [a for a in OFFERED_ALGS if a != example["input"]["alg"]]
    with pytest.raises(AlgorithmNotAllowedError):
        decrypt(
            example["output"]["compact"], _key(example), algorithms=others, encryptions=ALL_ENCS
        )


def test_rfc7520_5_1_rsa1_5_is_not_offered() -> None:
    example = _example(1)
    with pytest.raises(AlgorithmNotAllowedError):
        decrypt(
            example["output"]["compact"],
            _key(example),
            algorithms=OFFERED_ALGS,
            encryptions=ALL_ENCS,
        )
    with pytest.raises(ValueError, match="allow-list"):
        decrypt(
            example["output"]["compact"], _key(example), algorithms=["RSA1_5"], encryptions=ALL_ENCS
        )


def test_rfc7520_5_3_pbes2_refused_by_default_even_when_listed() -> None:
    example = _example(3)
    with pytest.raises(AlgorithmNotAllowedError):
        decrypt(
            example["output"]["compact"],
            _key(example),
            algorithms=sorted(KEY_ALGORITHMS),
            encryptions=ALL_ENCS,
        )


def test_rfc7520_5_3_pbes2_decrypts_when_enabled_by_name() -> None:
    example = _example(3)
    _, plaintext = decrypt(
        example["output"]["compact"],
        _key(example),
        algorithms=["PBES2-HS512+A256KW"],
        encryptions=["A128CBC-HS256"],
        allow_pbes2=True,
    )
    assert plaintext == example["input"]["plaintext"].encode("utf-8")


def test_rfc7520_5_9_zip_refused_by_default() -> None:
    example = _example(9)
    with pytest.raises(UnsupportedHeaderError):
        decrypt(
            example["output"]["compact"],
            _key(example),
            algorithms=["A128KW"],
            encryptions=["A128GCM"],
        )


def test_rfc7520_5_9_zip_decrypts_when_allowed() -> None:
    example = _example(9)
    _, plaintext = decrypt(
        example["output"]["compact"],
        _key(example),
        algorithms=["A128KW"],
        encryptions=["A128GCM"],
        allow_zip=True,
    )
    assert plaintext == example["input"]["plaintext"].encode("utf-8")


def test_rfc8037_x25519_ecdh_es_decrypts() -> None:
    example = load_json("jose-cookbook/curve25519/ecdh-es.json")
    _, plaintext = decrypt(
        example["output"]["compact"],
        Key.import_jwk(example["input"]["key"]),
        algorithms=["ECDH-ES"],
        encryptions=["A128GCM"],
    )
    assert plaintext == example["input"]["plaintext"].encode("utf-8")


def test_rfc7520_6_nested_token_decrypts_then_verifies_as_two_separate_steps() -> None:
    example = load_json("jose-cookbook/6.nesting_signatures_and_encryption.json")
    header, inner = decrypt(
        example["encrypt"]["output"]["compact"],
        Key.import_jwk(example["encrypt"]["input"]["key"]),
        algorithms=["RSA-OAEP"],
        encryptions=["A128GCM"],
    )
    assert header["cty"] == "JWT"
    assert inner.decode("ascii") == example["sign"]["output"]["compact"]
    verifying = Key.import_jwk(example["sign"]["input"]["key"]).public_key()
    _, payload = jws.verify(inner, verifying, algorithms=["PS256"])
    assert payload == example["sign"]["input"]["payload"].encode("utf-8")


def test_rfc7520_6_generic_jwt_typ_is_refused_by_the_nested_helper() -> None:
    """§6's inner token is typed only ``JWT``: RFC 8725 §3.11-3.12 asks for more."""
    example = load_json("jose-cookbook/6.nesting_signatures_and_encryption.json")
    with pytest.raises(ValueError, match="own typ"):
        nested.decrypt_then_verify(
            example["encrypt"]["output"]["compact"],
            Key.import_jwk(example["encrypt"]["input"]["key"]),
            Key.import_jwk(example["sign"]["input"]["key"]).public_key(),
            typ="JWT",
            algorithms=["RSA-OAEP"],
            encryptions=["A128GCM"],
            signing_algorithms=["PS256"],
        )
