"""jwe.encrypt / jwe.decrypt: round trips, allow-lists, key binding, strict parsing."""

from __future__ import annotations

import json
import os

import pytest

from gatepass.errors import (
    AlgorithmNotAllowedError,
    DecryptionError,
    InvalidKeyError,
    JoseError,
    KeyNotFoundError,
    MalformedTokenError,
    TokenTooLargeError,
    UnsupportedHeaderError,
)
from gatepass.jose import Key, KeySet, Limits, jws
from gatepass.jose._b64 import b64decode, b64encode
from gatepass.jose.jwe import ENCRYPTIONS, decrypt, encrypt, generate_key
from tests.jose.jwe.helpers import KEY_CASES, forge, key_for, sender_key

ALL_ENCS = sorted(ENCRYPTIONS)


@pytest.mark.parametrize("enc", ALL_ENCS)
@pytest.mark.parametrize(("alg", "crv"), KEY_CASES)
def test_round_trip_every_alg_and_enc(alg: str, crv: str | None, enc: str) -> None:
    key = key_for(alg, crv, enc)
    plaintext = os.urandom(37)
    token = encrypt(plaintext, sender_key(key), alg=alg, enc=enc)
    header, out = decrypt(token, key, algorithms=[alg], encryptions=[enc])
    assert out == plaintext
    assert (header["alg"], header["enc"], header["kid"]) == (alg, enc, key.kid)
    assert token.count(".") == 4


def test_each_encryption_is_fresh() -> None:
    key = key_for("A128KW")
    first = encrypt(b"same", key, alg="A128KW", enc="A128GCM")
    second = encrypt(b"same", key, alg="A128KW", enc="A128GCM")
    assert first != second


def test_empty_plaintext_round_trips() -> None:
    key = key_for("dir", enc="A128GCM")
    token = encrypt(b"", key, alg="dir", enc="A128GCM")
    assert decrypt(token, key, algorithms=["dir"], encryptions=["A128GCM"])[1] == b""


def test_headers_are_protected_and_returned() -> None:
    key = key_for("A256KW")
    token = encrypt(b"x", key, alg="A256KW", enc="A256GCM", headers={"typ": "at+jwt", "cty": "x"})
    header, _ = decrypt(token, key, algorithms=["A256KW"], encryptions=["A256GCM"])
    assert header["typ"] == "at+jwt"
    assert header["cty"] == "x"


def test_apu_apv_take_part_in_the_key_derivation() -> None:
    key = key_for("ECDH-ES", "P-256")
    apu, apv = b64encode(b"Alice"), b64encode(b"Bob")
    token = encrypt(
        b"x", sender_key(key), alg="ECDH-ES", enc="A128GCM", headers={"apu": apu, "apv": apv}
    )
    header, out = decrypt(token, key, algorithms=["ECDH-ES"], encryptions=["A128GCM"])
    assert (header["apu"], header["apv"], out) == (apu, apv, b"x")


def test_decrypt_with_a_keyset_picks_by_kid() -> None:
    keys = KeySet([generate_key("A128KW"), generate_key("A128KW")])
    wanted = list(keys)[1]
    token = encrypt(b"x", wanted, alg="A128KW", enc="A128GCM")
    assert decrypt(token, keys, algorithms=["A128KW"], encryptions=["A128GCM"])[1] == b"x"


def test_decrypt_with_a_keyset_and_no_kid_tries_every_suitable_key() -> None:
    secret = os.urandom(16)
    anonymous = Key.import_jwk({"kty": "oct", "k": b64encode(secret)})
    keys = KeySet(
        [generate_key("A128KW"), Key.import_jwk({"kty": "oct", "k": b64encode(secret), "kid": "b"})]
    )
    token = encrypt(b"x", anonymous, alg="A128KW", enc="A128GCM")
    header, plaintext = decrypt(token, keys, algorithms=["A128KW"], encryptions=["A128GCM"])
    assert "kid" not in header
    assert plaintext == b"x"


def test_unknown_kid_in_keyset() -> None:
    token = encrypt(b"x", generate_key("A128KW"), alg="A128KW", enc="A128GCM")
    with pytest.raises(KeyNotFoundError):
        decrypt(
            token, KeySet([generate_key("A128KW")]), algorithms=["A128KW"], encryptions=["A128GCM"]
        )


def test_wrong_key_of_the_right_kind_fails_with_decryption_error() -> None:
    token = encrypt(b"x", key_for("RSA-OAEP").public_key(), alg="RSA-OAEP", enc="A128GCM")
    other = generate_key("RSA-OAEP", kid=key_for("RSA-OAEP").kid)
    with pytest.raises(DecryptionError):
        decrypt(token, other, algorithms=["RSA-OAEP"], encryptions=["A128GCM"])


# -- allow-lists -------------------------------------------------------------------


def test_allow_lists_are_required() -> None:
    token = encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM")
    with pytest.raises(TypeError):
        decrypt(token, key_for("A128KW"), algorithms=[], encryptions=["A128GCM"])
    with pytest.raises(TypeError):
        decrypt(token, key_for("A128KW"), algorithms=["A128KW"], encryptions=())


@pytest.mark.parametrize("name", ["RSA1_5", "A192KW", "HS256", "none"])
def test_unsupported_names_in_the_allow_list_fail_loudly(name: str) -> None:
    token = encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM")
    with pytest.raises(ValueError, match="allow-list"):
        decrypt(token, key_for("A128KW"), algorithms=[name], encryptions=["A128GCM"])


def test_enc_not_in_allow_list() -> None:
    token = encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM")
    with pytest.raises(AlgorithmNotAllowedError):
        decrypt(token, key_for("A128KW"), algorithms=["A128KW"], encryptions=["A256GCM"])


@pytest.mark.parametrize("alg", ["RSA1_5", "A192KW", "HS256", "none", "PBES2-HS256+A128KW"])
def test_encrypt_refuses_algorithms_not_offered_or_not_jwe(alg: str) -> None:
    if alg.startswith("PBES2"):
        key = Key.import_jwk({"kty": "oct", "k": b64encode(b"password")})
        encrypt(b"x", key, alg=alg, enc="A128GCM")  # named explicitly: allowed
        return
    with pytest.raises(AlgorithmNotAllowedError):
        encrypt(b"x", key_for("A128KW"), alg=alg, enc="A128GCM")


def test_encrypt_refuses_unknown_enc() -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A192GCM")


# -- key binding ------------------------------------------------------------------


def test_key_bound_to_another_alg_is_refused() -> None:
    token = encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM")
    rebound = Key.import_jwk({**key_for("A128KW").export_jwk(private=True), "alg": "A128GCMKW"})
    with pytest.raises(AlgorithmNotAllowedError):
        decrypt(token, rebound, algorithms=["A128KW"], encryptions=["A128GCM"])


@pytest.mark.parametrize(
    ("alg", "jwk_update", "error"),
    [
        ("A128KW", {"use": "sig"}, InvalidKeyError),
        ("A128KW", {"key_ops": ["sign", "verify"]}, InvalidKeyError),
        ("A256KW", {}, InvalidKeyError),  # a 16-byte key for a 32-byte algorithm
        ("dir", {}, InvalidKeyError),  # 16 bytes but A256GCM needs 32
    ],
)
def test_unsuitable_oct_keys(
    alg: str, jwk_update: dict[str, object], error: type[Exception]
) -> None:
    jwk = {"kty": "oct", "k": b64encode(os.urandom(16)), **jwk_update}
    with pytest.raises(error):
        encrypt(b"x", Key.import_jwk(jwk), alg=alg, enc="A256GCM")


def test_signature_key_type_for_ecdh_is_refused() -> None:
    ed = Key.generate("EdDSA")
    with pytest.raises((AlgorithmNotAllowedError, InvalidKeyError)):
        encrypt(b"x", ed.public_key(), alg="ECDH-ES", enc="A128GCM")


def test_rsa_key_for_ecdh_is_refused() -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        encrypt(b"x", key_for("RSA-OAEP").public_key(), alg="ECDH-ES", enc="A128GCM")


def test_public_key_cannot_decrypt() -> None:
    key = key_for("ECDH-ES", "P-256")
    token = encrypt(b"x", key.public_key(), alg="ECDH-ES", enc="A128GCM")
    with pytest.raises(InvalidKeyError):
        decrypt(token, key.public_key(), algorithms=["ECDH-ES"], encryptions=["A128GCM"])


def test_sixteen_byte_aes_keys_import() -> None:
    key = Key.import_jwk({"kty": "oct", "k": b64encode(os.urandom(16))})
    token = encrypt(b"x", key, alg="A128KW", enc="A128GCM")
    assert decrypt(token, key, algorithms=["A128KW"], encryptions=["A128GCM"])[1] == b"x"


# -- compact form and header strictness ------------------------------------------------

CEK = os.urandom(16)
DIR_KEY = Key.import_jwk({"kty": "oct", "k": b64encode(CEK)})


def _decrypt(token: str, **kwargs: object) -> bytes:
    return decrypt(token, DIR_KEY, algorithms=["dir"], encryptions=["A128GCM"], **kwargs)[1]  # type: ignore[arg-type]


def test_forged_header_baseline_decrypts() -> None:
    """The forger itself is sound, so the refusals below are about the header."""
    assert _decrypt(forge({"alg": "dir", "enc": "A128GCM"}, CEK)) == b"x"


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b'{"alg":"dir","enc":"A128GCM","alg":"dir"}', MalformedTokenError),
        (b'{"alg":"dir"}', MalformedTokenError),
        (b'{"enc":"A128GCM"}', MalformedTokenError),
        (b'["dir"]', MalformedTokenError),
        (b'{"alg":"dir","enc":"A128GCM","kid":7}', MalformedTokenError),
        (b'{"alg":"dir","enc":"A128GCM","epk":"x"}', MalformedTokenError),
        (b'{"alg":"dir","enc":"A128GCM","crit":["exp"]}', MalformedTokenError),
        (b'{"alg":"dir","enc":"A128GCM","crit":["x-ext"],"x-ext":1}', UnsupportedHeaderError),
        (b'{"alg":"dir","enc":"A128GCM","b64":false}', UnsupportedHeaderError),
        (b'{"alg":"dir","enc":"A128GCM","zip":"DEF"}', UnsupportedHeaderError),
        (b'{"alg":"HS256","enc":"A128GCM"}', AlgorithmNotAllowedError),
        (b'{"alg":"RSA1_5","enc":"A128GCM"}', AlgorithmNotAllowedError),
        (b'{"alg":"dir","enc":"A192GCM"}', AlgorithmNotAllowedError),
        (b'\xff{"alg":"dir","enc":"A128GCM"}', MalformedTokenError),
        # null is not absence: each of these once reached a TypeError
        (b'{"alg":"dir","enc":"A128GCM","crit":null}', MalformedTokenError),
        (b'{"alg":"dir","enc":"A128GCM","crit":5}', MalformedTokenError),
        (b'{"alg":"dir","enc":"A128GCM","p2c":null}', MalformedTokenError),
        (b'{"alg":"dir","enc":"A128GCM","epk":null}', MalformedTokenError),
    ],
)
def test_header_is_checked_before_decryption(raw: bytes, error: type[JoseError]) -> None:
    with pytest.raises(error):
        _decrypt(forge(raw, CEK))


def test_understood_crit_extension_is_accepted() -> None:
    token = forge({"alg": "dir", "enc": "A128GCM", "crit": ["x-ext"], "x-ext": 1}, CEK)
    assert _decrypt(token, crit=["x-ext"]) == b"x"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t + "=",
        lambda t: t.replace(".", "..", 1),
        lambda t: t.rsplit(".", 1)[0],
        lambda t: t + ".AAAA",
        lambda t: " " + t,
        lambda t: t.replace("-", "+").replace("_", "/") if ("-" in t or "_" in t) else t + "+",
    ],
)
def test_compact_form_is_strict(mangle: object) -> None:
    token = forge({"alg": "dir", "enc": "A128GCM"}, CEK)
    with pytest.raises(MalformedTokenError):
        _decrypt(mangle(token))  # type: ignore[operator]


def test_non_canonical_base64_is_refused() -> None:
    token = forge({"alg": "dir", "enc": "A128GCM"}, CEK)
    tag = token.rsplit(".", 1)[1]  # 16 bytes: 22 chars, the last carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    bumped = tag[:-1] + alphabet[alphabet.index(tag[-1]) ^ 1]
    with pytest.raises(MalformedTokenError):
        _decrypt(token[: -len(tag)] + bumped)


def test_bytes_token_accepted_and_non_ascii_refused() -> None:
    token = forge({"alg": "dir", "enc": "A128GCM"}, CEK)
    assert _decrypt(token.encode("ascii")) == b"x"  # type: ignore[arg-type]
    with pytest.raises(MalformedTokenError):
        _decrypt(token.encode("ascii") + "é".encode())  # type: ignore[arg-type]


def test_size_caps_apply_before_decoding() -> None:
    small = Limits(max_token_bytes=256, max_header_bytes=64, max_payload_bytes=64)
    with pytest.raises(TokenTooLargeError):
        _decrypt(forge({"alg": "dir", "enc": "A128GCM"}, CEK, b"x" * 300), limits=small)
    with pytest.raises(TokenTooLargeError):
        _decrypt(forge({"alg": "dir", "enc": "A128GCM", "pad": "x" * 80}, CEK), limits=small)
    with pytest.raises(TokenTooLargeError):
        _decrypt(forge({"alg": "dir", "enc": "A128GCM"}, CEK, b"x" * 100), limits=small)


def test_dir_with_an_encrypted_key_is_refused() -> None:
    protected, _, iv, ct, tag = forge({"alg": "dir", "enc": "A128GCM"}, CEK).split(".")
    with pytest.raises(DecryptionError):
        _decrypt(".".join((protected, b64encode(os.urandom(16)), iv, ct, tag)))


def test_errors_never_echo_the_token() -> None:
    marker = "ZZ-attacker-text-ZZ"
    for header in (
        {"alg": marker, "enc": "A128GCM"},
        {"alg": "dir", "enc": marker},
        {"alg": "dir", "enc": "A128GCM", "kid": marker, "crit": [marker], marker: 1},
    ):
        with pytest.raises(JoseError) as caught:
            _decrypt(forge(header, CEK))
        assert marker not in str(caught.value)
        assert marker not in repr(caught.value)


# -- encrypt's own checks ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["epk", "iv", "tag", "p2s", "zip", "b64"])
def test_encrypt_refuses_computed_header_members(name: str) -> None:
    with pytest.raises(UnsupportedHeaderError):
        encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM", headers={name: "x"})


def test_encrypt_refuses_alg_override() -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM", headers={"alg": "dir"})


def test_encrypt_refuses_apu_outside_ecdh_and_bad_base64() -> None:
    with pytest.raises(UnsupportedHeaderError):
        encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM", headers={"apu": "QQ"})
    with pytest.raises(MalformedTokenError):
        encrypt(
            b"x",
            sender_key(key_for("ECDH-ES", "P-256")),
            alg="ECDH-ES",
            enc="A128GCM",
            headers={"apu": "not base64!"},
        )


@pytest.mark.parametrize("crit", [["x"], None, [], 5, ["y", "y"]])
def test_encrypt_refuses_dangling_crit(crit: object) -> None:
    # The rule decrypt applies: a duplicate name, too, makes a token it refuses.
    headers = {"crit": crit, "y": 1}
    with pytest.raises(UnsupportedHeaderError):
        encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM", headers=headers)


def test_null_p2c_and_apu_are_refused_not_taken_as_absent() -> None:
    password = Key.import_jwk({"kty": "oct", "k": b64encode(b"correct horse battery staple")})
    pbes2 = "PBES2-HS256+A128KW"
    token = encrypt(b"x", password, alg=pbes2, enc="A128GCM", headers={"p2c": 1000})
    h64, rest = token.split(".", 1)
    header = json.loads(b64decode(h64))
    forged = f"{b64encode(json.dumps({**header, 'p2c': None}).encode())}.{rest}"
    with pytest.raises(MalformedTokenError):
        decrypt(forged, password, algorithms=[pbes2], encryptions=["A128GCM"], allow_pbes2=True)
    ecdh = key_for("ECDH-ES", "P-256")
    token = encrypt(b"x", sender_key(ecdh), alg="ECDH-ES", enc="A128GCM")
    h64, rest = token.split(".", 1)
    header = json.loads(b64decode(h64))
    forged = f"{b64encode(json.dumps({**header, 'apu': None}).encode())}.{rest}"
    with pytest.raises(MalformedTokenError):
        decrypt(forged, ecdh, algorithms=["ECDH-ES"], encryptions=["A128GCM"])


def test_encrypt_type_checks() -> None:
    with pytest.raises(TypeError):
        encrypt("text", key_for("A128KW"), alg="A128KW", enc="A128GCM")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        encrypt(b"x", KeySet([key_for("A128KW")]), alg="A128KW", enc="A128GCM")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedHeaderError):
        encrypt(b"x", key_for("A128KW"), alg="A128KW", enc="A128GCM", zip="GZIP")


# -- JWS / JWE confusion (CVE-2022-3102, CVE-2023-51774 class) ------------------------------


def test_a_jws_is_never_decrypted() -> None:
    hmac_key = Key.from_secret(os.urandom(32))
    token = jws.sign(b"{}", hmac_key, "HS256")
    with pytest.raises(MalformedTokenError, match="JWS"):
        decrypt(token, hmac_key, algorithms=["dir"], encryptions=["A256GCM"])


def test_a_jwe_is_never_verified() -> None:
    key = key_for("dir", enc="A256GCM")
    token = encrypt(b"{}", key, alg="dir", enc="A256GCM")
    with pytest.raises(MalformedTokenError):
        jws.verify(token, Key.from_secret(os.urandom(32)), algorithms=["HS256"])
