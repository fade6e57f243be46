"""Interop with joserfc, both ways, with hypothesis over algorithms and plaintexts.

gatepass encrypts and joserfc decrypts, and the other way round, for every
key management algorithm gatepass offers (each ECDH curve), every content
encryption, with and without ``zip``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jwe as joserfc_jwe
from joserfc.jwk import import_key

from gatepass.jose import Key
from gatepass.jose._b64 import b64encode
from gatepass.jose.jwe import ENCRYPTIONS, decrypt, encrypt
from tests.jose.jwe.helpers import KEY_CASES, key_for, sender_key

ALL_ENCS = sorted(ENCRYPTIONS)
INTEROP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cases = st.tuples(
    st.sampled_from(KEY_CASES),
    st.sampled_from(ALL_ENCS),
    st.binary(max_size=300),
    st.booleans(),
)


def _theirs(key: Key) -> Any:
    return import_key(key.export_jwk(private=True))


@INTEROP
@given(cases)
def test_gatepass_encrypts_joserfc_decrypts(case: Any) -> None:
    (alg, crv), enc, plaintext, compress = case
    key = key_for(alg, crv, enc)
    token = encrypt(plaintext, sender_key(key), alg=alg, enc=enc, zip="DEF" if compress else None)
    result = joserfc_jwe.decrypt_compact(token, _theirs(key), algorithms=[alg, enc, "DEF"])
    assert result.plaintext == plaintext
    assert result.protected["alg"] == alg


@INTEROP
@given(cases)
def test_joserfc_encrypts_gatepass_decrypts(case: Any) -> None:
    (alg, crv), enc, plaintext, compress = case
    key = key_for(alg, crv, enc)
    protected = {"alg": alg, "enc": enc, **({"zip": "DEF"} if compress else {})}
    token = joserfc_jwe.encrypt_compact(
        protected, plaintext, _theirs(key), algorithms=[alg, enc, "DEF"]
    )
    header, out = decrypt(token, key, algorithms=[alg], encryptions=[enc], allow_zip=compress)
    assert out == plaintext
    assert header["enc"] == enc


PASSWORD = Key.import_jwk({"kty": "oct", "k": b64encode(b"correct horse battery staple")})
PBES2 = "PBES2-HS256+A128KW"


def test_pbes2_interop_both_ways() -> None:
    theirs = import_key(PASSWORD.export_jwk(private=True))
    ours = encrypt(b"pw", PASSWORD, alg=PBES2, enc="A128GCM", headers={"p2c": 2000})
    assert joserfc_jwe.decrypt_compact(ours, theirs, algorithms=[PBES2, "A128GCM"]).plaintext == (
        b"pw"
    )
    token = joserfc_jwe.encrypt_compact(
        {"alg": PBES2, "enc": "A128GCM", "p2c": 2000}, b"pw", theirs, algorithms=[PBES2, "A128GCM"]
    )
    assert (
        decrypt(token, PASSWORD, algorithms=[PBES2], encryptions=["A128GCM"], allow_pbes2=True)[1]
        == b"pw"
    )
