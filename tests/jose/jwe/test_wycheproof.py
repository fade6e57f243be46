"""Project Wycheproof ``json_web_encryption_test.json``: every one of its 139 cases.

Among the algorithms gatepass offers there must be no wrong accept and no wrong
reject; a case whose ``alg`` or ``enc`` gatepass does not offer (RSA1_5,
A192KW, A192GCMKW, ECDH-ES+A192KW, A192GCM) must be rejected with
``alg_not_allowed``, whatever its label. The one compressed case is refused by
default and decrypts once ``allow_zip`` is set.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from gatepass.errors import AlgorithmNotAllowedError, JoseError, UnsupportedHeaderError
from gatepass.jose import Key
from gatepass.jose.jwe import ENCRYPTIONS, KEY_ALGORITHMS, PBES2_ALGORITHMS, decrypt
from tests.jose.jwe.conftest import load_json

OFFERED_ALGS = sorted(set(KEY_ALGORITHMS) - PBES2_ALGORITHMS)
OFFERED_ENCS = sorted(ENCRYPTIONS)


def _cases() -> list[Any]:
    data = load_json("wycheproof/json_web_encryption_test.json")
    return [
        pytest.param(group["private"], case, id=f"tc{case['tcId']}-{case['comment']}")
        for group in data["testGroups"]
        for case in group["tests"]
    ]


def _header(token: object) -> dict[str, Any] | None:
    """The token's header as the test reads it (leniently), or None if it has none."""
    if not isinstance(token, str) or token.count(".") != 4:
        return None
    h64 = token.split(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(h64 + "=" * (-len(h64) % 4)))
    except ValueError:
        return None
    return header if isinstance(header, dict) else None


def _names_unoffered(header: dict[str, Any] | None) -> bool:
    """The header names an alg and an enc, and gatepass does not offer both."""
    return (
        header is not None
        and isinstance(header.get("alg"), str)
        and isinstance(header.get("enc"), str)
        and not _offered(header)
    )


def _offered(header: dict[str, Any] | None) -> bool:
    return (
        header is not None
        and header.get("alg") in OFFERED_ALGS
        and (header.get("enc") in OFFERED_ENCS)
    )


@pytest.mark.parametrize("allow_zip", [False, True], ids=["default", "allow_zip"])
@pytest.mark.parametrize(("jwk", "case"), _cases())
def test_wycheproof_case(jwk: dict[str, Any], case: dict[str, Any], allow_zip: bool) -> None:
    key = Key.import_jwk(jwk)
    token = case["jwe"] if isinstance(case["jwe"], str) else json.dumps(case["jwe"])
    header = _header(case["jwe"])
    compressed = header is not None and "zip" in header
    should_accept = case["result"] == "valid" and _offered(header) and (allow_zip or not compressed)

    def run() -> bytes:
        return decrypt(
            token, key, algorithms=OFFERED_ALGS, encryptions=OFFERED_ENCS, allow_zip=allow_zip
        )[1]

    if should_accept:
        assert run() == bytes.fromhex(case["pt"])
        return
    if _names_unoffered(header):
        with pytest.raises(AlgorithmNotAllowedError):
            run()
    elif compressed and not allow_zip:
        with pytest.raises(UnsupportedHeaderError):
            run()
    else:
        with pytest.raises(JoseError):
            run()


def test_wycheproof_counts_are_what_the_suite_claims() -> None:
    """Guard against a vector file that quietly shrinks or loses its valid cases."""
    data = load_json("wycheproof/json_web_encryption_test.json")
    cases = [c for g in data["testGroups"] for c in g["tests"]]
    valid_offered = [c for c in cases if c["result"] == "valid" and _offered(_header(c["jwe"]))]
    not_offered = [c for c in cases if _names_unoffered(_header(c["jwe"]))]
    assert len(cases) == 139
    assert len(valid_offered) == 48
    assert len(not_offered) == 39
