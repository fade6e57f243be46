"""Differential tests against PyJWT and joserfc, driven by hypothesis.

What gatepass signs verifies in both libraries, what they sign verifies in
gatepass, and changing any byte of any token makes verification fail.
Example counts are bounded so the suite stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt as pyjwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jwk as joserfc_jwk
from joserfc import jwt as joserfc_jwt

from gatepass.errors import JoseError
from gatepass.jose import Key, decode, encode, jws

FAR_FUTURE = 4_102_444_800  # 2100-01-01
NOW = 1_700_000_000
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Signer:
    alg: str
    key: Key  # private (or secret) gatepass key, not bound to an alg

    @property
    def verifier(self) -> Key:
        return self.key if self.key.kty == "oct" else self.key.public_key()

    @property
    def label(self) -> str:
        return f"{self.alg}-{self.key.crv}" if self.key.crv else self.alg


_RSA = Key.from_crypto(Key.generate("RS256").crypto)
_SIGNERS = [
    Signer("HS256", Key.from_secret(b"h" * 32, alg=None)),
    Signer("HS384", Key.from_secret(bytes(range(48)), alg=None)),
    Signer("HS512", Key.from_secret(bytes(range(64)), alg=None)),
    *(Signer(alg, _RSA) for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")),
    *(
        Signer(alg, Key.from_crypto(Key.generate(alg).crypto))
        for alg in ("ES256", "ES384", "ES512")
    ),
    Signer("EdDSA", Key.from_crypto(Key.generate("EdDSA").crypto)),
    Signer("EdDSA", Key.from_crypto(Key.generate("EdDSA", crv="Ed448").crypto)),
    Signer("Ed25519", Key.from_crypto(Key.generate("EdDSA").crypto)),
]
# PyJWT has no fully specified "Ed25519" name; joserfc has every name gatepass has.
PYJWT_SIGNERS = [s for s in _SIGNERS if s.alg in pyjwt.algorithms.get_default_algorithms()]
SIGNERS = st.sampled_from(_SIGNERS)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
CLAIMS = st.dictionaries(
    st.from_regex(r"x_[a-z0-9_]{0,8}", fullmatch=True), JSON_VALUES, max_size=6
).map(lambda extra: {**extra, "sub": "alice", "iat": NOW, "exp": FAR_FUTURE})


def _pyjwt_key(key: Key, private: bool) -> Any:
    if key.kty == "oct":
        return key.secret
    return key.crypto if private else key.public_crypto


def _joserfc_key(key: Key, private: bool) -> Any:
    return joserfc_jwk.import_key(key.export_jwk(private=private or key.kty == "oct"))


def _gatepass_sign(signer: Signer, claims: dict[str, Any]) -> str:
    return encode(claims, signer.key, algorithm=signer.alg, sensitive_claims=())


@SETTINGS
@given(st.sampled_from(PYJWT_SIGNERS), CLAIMS)
def test_gatepass_tokens_verify_in_pyjwt(signer: Signer, claims: dict[str, Any]) -> None:
    token = _gatepass_sign(signer, claims)
    key = _pyjwt_key(signer.verifier, private=False)
    assert pyjwt.decode(token, key, algorithms=[signer.alg]) == claims


@SETTINGS
@given(st.sampled_from(PYJWT_SIGNERS), CLAIMS)
def test_pyjwt_tokens_verify_in_gatepass(signer: Signer, claims: dict[str, Any]) -> None:
    token = pyjwt.encode(claims, _pyjwt_key(signer.key, private=True), algorithm=signer.alg)
    assert decode(token, signer.verifier, algorithms=[signer.alg]) == claims


# joserfc warns that the polymorphic "EdDSA" name is deprecated (RFC 9864);
# gatepass still accepts it by design, so the warning is expected here.
JOSERFC_EDDSA_WARNING = pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")


@JOSERFC_EDDSA_WARNING
@SETTINGS
@given(SIGNERS, CLAIMS)
def test_gatepass_tokens_verify_in_joserfc(signer: Signer, claims: dict[str, Any]) -> None:
    token = _gatepass_sign(signer, claims)
    key = _joserfc_key(signer.verifier, private=False)
    result = joserfc_jwt.decode(token, key, algorithms=[signer.alg])
    assert result.claims == claims
    assert result.header["alg"] == signer.alg


@JOSERFC_EDDSA_WARNING
@SETTINGS
@given(SIGNERS, CLAIMS)
def test_joserfc_tokens_verify_in_gatepass(signer: Signer, claims: dict[str, Any]) -> None:
    key = _joserfc_key(signer.key, private=True)
    token = joserfc_jwt.encode({"alg": signer.alg}, claims, key, algorithms=[signer.alg])
    assert decode(token, signer.verifier, algorithms=[signer.alg]) == claims


@JOSERFC_EDDSA_WARNING
@settings(max_examples=150, deadline=None)
@given(SIGNERS, CLAIMS, st.data())
def test_changing_any_byte_of_any_token_fails(
    signer: Signer, claims: dict[str, Any], data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(["gatepass", "pyjwt", "joserfc"]), label="source")
    if source == "pyjwt" and signer in PYJWT_SIGNERS:
        token = pyjwt.encode(claims, _pyjwt_key(signer.key, private=True), algorithm=signer.alg)
    elif source == "joserfc":
        key = _joserfc_key(signer.key, private=True)
        token = joserfc_jwt.encode({"alg": signer.alg}, claims, key, algorithms=[signer.alg])
    else:
        token = _gatepass_sign(signer, claims)
    raw = bytearray(token.encode("ascii"))
    index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1), label="index")
    raw[index] ^= data.draw(st.integers(min_value=1, max_value=255), label="xor")
    with pytest.raises(JoseError):
        jws.verify(bytes(raw), signer.verifier, algorithms=[signer.alg])
    if raw.isascii():
        with pytest.raises(JoseError):
            decode(raw.decode("ascii"), signer.verifier, algorithms=[signer.alg])


@pytest.mark.parametrize("signer", _SIGNERS, ids=[s.label for s in _SIGNERS])
def test_every_signer_round_trips(signer: Signer) -> None:
    claims = {"sub": "alice", "exp": FAR_FUTURE}
    assert (
        decode(_gatepass_sign(signer, claims), signer.verifier, algorithms=[signer.alg]) == claims
    )
