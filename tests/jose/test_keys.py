"""Key and KeySet: import, export, thumbprints, and the refusal of unsafe material."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519
from cryptography.x509.oid import NameOID

from gatepass.errors import (
    AlgorithmNotAllowedError,
    InvalidKeyError,
    JoseError,
    KeyNotFoundError,
)
from gatepass.jose import Key, KeySet, jws

SIGNING_ALGS = ["HS256", "HS384", "HS512", "RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"]
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}
RSA_1024 = rsa.generate_private_key(public_exponent=65537, key_size=1024)
RSA_2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64int(value: int) -> str:
    return b64(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def rfc7638(jwk: dict[str, Any]) -> str:
    members = {"oct": "k kty", "RSA": "e kty n", "EC": "crv kty x y", "OKP": "crv kty x"}
    required = {m: jwk[m] for m in members[jwk["kty"]].split()}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
    return b64(hashlib.sha256(canonical).digest())


# -- generation, export, import ------------------------------------------------------


@pytest.mark.parametrize("alg", SIGNING_ALGS)
def test_generate_export_import_round_trip(alg: str) -> None:
    key = Key.generate(alg)
    assert key.alg == alg
    assert key.is_private
    private = key.export_jwk(private=True)
    again = Key.import_jwk(private)
    assert again.export_jwk(private=True) == private
    assert again.kid == key.kid
    token = jws.sign(b"x", again, alg)
    if key.kty == "oct":
        with pytest.raises(InvalidKeyError):
            key.export_jwk()
        assert jws.verify(token, key, algorithms=[alg])[1] == b"x"
        return
    public = key.export_jwk()
    assert not PRIVATE_MEMBERS & set(public)
    assert public == key.public_key().export_jwk()
    imported = Key.import_jwk(public)
    assert not imported.is_private
    assert jws.verify(token, imported, algorithms=[alg])[1] == b"x"
    assert key.thumbprint() == imported.thumbprint() == rfc7638(public)


@pytest.mark.parametrize(
    ("alg", "kty", "crv", "size"),
    [
        ("RS256", "RSA", None, 2048),
        ("ES256", "EC", "P-256", 256),
        ("ES384", "EC", "P-384", 384),
        ("ES512", "EC", "P-521", 521),
        ("EdDSA", "OKP", "Ed25519", 256),
        ("Ed25519", "OKP", "Ed25519", 256),
        ("HS256", "oct", None, 256),
        ("HS512", "oct", None, 512),
    ],
)
def test_generated_key_attributes(alg: str, kty: str, crv: str | None, size: int) -> None:
    key = Key.generate(alg)
    assert (key.kty, key.crv, key.size) == (kty, crv, size)


def test_generate_ed448_and_larger_rsa() -> None:
    ed448 = Key.generate("EdDSA", crv="Ed448")
    assert (ed448.kty, ed448.crv) == ("OKP", "Ed448")
    assert jws.verify(jws.sign(b"x", ed448), ed448.public_key(), algorithms=["EdDSA"])[1] == b"x"
    assert Key.generate("PS256", rsa_bits=3072).size == 3072
    with pytest.raises(InvalidKeyError):
        Key.generate("RS256", rsa_bits=1024)
    with pytest.raises(JoseError):
        Key.generate("Ed25519", crv="Ed448")
    with pytest.raises(JoseError):
        Key.generate("none")


def test_generated_keys_differ_and_kid_defaults_to_thumbprint() -> None:
    a, b = Key.generate("ES256"), Key.generate("ES256")
    assert a.kid != b.kid
    assert a.kid == a.thumbprint()
    assert Key.generate("ES256", kid="mine").kid == "mine"


def test_key_is_immutable() -> None:
    key = Key.generate("RS256")
    for name, value in (("alg", "HS256"), ("kty", "oct"), ("use", "enc"), ("kid", "x")):
        with pytest.raises(AttributeError):
            setattr(key, name, value)
    assert (key.alg, key.kty, key.use) == ("RS256", "RSA", "sig")


def test_thumbprint_hash_choice() -> None:
    key = Key.generate("ES256")
    jwk = key.export_jwk()
    required = {m: jwk[m] for m in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
    assert key.thumbprint("sha384") == b64(hashlib.sha384(canonical).digest())


def test_export_pem_round_trip() -> None:
    key = Key.from_crypto(RSA_2048, alg="RS256", kid="r")
    private_pem = key.export_pem(private=True)
    public_pem = key.export_pem()
    assert b"PRIVATE KEY" in private_pem
    assert b"PUBLIC KEY" in public_pem
    assert b"PRIVATE" not in public_pem
    again = Key.import_pem(private_pem, alg="RS256", kid="r")
    assert again.export_jwk(private=True) == key.export_jwk(private=True)
    public = Key.import_pem(public_pem.decode(), alg="RS256")
    assert not public.is_private
    assert jws.verify(jws.sign(b"x", again), public, algorithms=["RS256"])[1] == b"x"
    with pytest.raises(InvalidKeyError):
        public.export_pem(private=True)
    with pytest.raises(InvalidKeyError):
        Key.from_secret(b"s" * 32).export_pem(private=True)


def test_import_der_and_encrypted_pem() -> None:
    obj = ec.generate_private_key(ec.SECP384R1())
    der = obj.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key = Key.import_der(der, alg="ES384")
    assert (key.kty, key.crv, key.is_private) == ("EC", "P-384", True)
    encrypted = obj.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    assert Key.import_pem(encrypted, password=b"pw").thumbprint() == key.thumbprint()
    with pytest.raises(InvalidKeyError):
        Key.import_pem(encrypted, password=b"wrong")
    with pytest.raises(InvalidKeyError):
        Key.import_pem(encrypted)


def test_import_certificate() -> None:
    obj = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gatepass test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(obj.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(obj, hashes.SHA256())
    )
    key = Key.import_pem(cert.public_bytes(serialization.Encoding.PEM), alg="ES256")
    assert not key.is_private
    assert key.thumbprint() == Key.from_crypto(obj).thumbprint()
    der = Key.import_der(cert.public_bytes(serialization.Encoding.DER))
    assert der.thumbprint() == key.thumbprint()


@pytest.mark.parametrize(
    "data",
    [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
)
def test_unreadable_pem_refused(data: bytes) -> None:
    with pytest.raises(InvalidKeyError):
        Key.import_pem(data)
    with pytest.raises(InvalidKeyError):
        Key.import_der(data)


def test_from_crypto_refuses_other_objects() -> None:
    for obj in (object(), "secret", b"secret", 42, None):
        with pytest.raises(InvalidKeyError):
            Key.from_crypto(obj)


def test_public_key_of_a_secret_refused() -> None:
    with pytest.raises(InvalidKeyError):
        Key.from_secret(b"s" * 32).public_key()


def test_repr_hides_material() -> None:
    secret = b"super-secret-value-0123456789abcdef"
    key = Key.from_secret(secret)
    assert "super-secret" not in repr(key)
    assert b64(secret) not in repr(key)
    rsa_key = Key.from_crypto(RSA_2048)
    assert rsa_key.export_jwk(private=True)["d"] not in repr(rsa_key)


# -- use, key_ops, alg binding -------------------------------------------------------


def test_check_alg() -> None:
    key = Key.generate("RS256")
    assert key.check_alg("RS256").name == "RS256"
    with pytest.raises(AlgorithmNotAllowedError):
        key.check_alg("PS256")
    unbound = Key.from_crypto(RSA_2048)
    assert unbound.check_alg("PS512").family == "RSA-PSS"
    for wrong in ("ES256", "HS256", "EdDSA", "none"):
        with pytest.raises(JoseError):
            unbound.check_alg(wrong)
    p256 = Key.from_crypto(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(JoseError):
        p256.check_alg("ES384")
    x = Key.from_crypto(x25519.X25519PrivateKey.generate())
    with pytest.raises(JoseError):
        x.check_alg("EdDSA")


def test_use_and_key_ops_enforced() -> None:
    jwk = Key.generate("ES256").export_jwk(private=True)
    token = jws.sign(b"x", Key.import_jwk(jwk), "ES256")
    enc = Key.import_jwk({**jwk, "use": "enc"})
    with pytest.raises(JoseError):
        jws.verify(token, enc, algorithms=["ES256"])
    with pytest.raises(JoseError):
        jws.sign(b"x", enc, "ES256")
    verify_only = Key.import_jwk({**jwk, "key_ops": ["verify"]})
    assert jws.verify(token, verify_only, algorithms=["ES256"])[1] == b"x"
    with pytest.raises(JoseError):
        jws.sign(b"x", verify_only, "ES256")
    sign_only = Key.import_jwk({**jwk, "key_ops": ["sign"]})
    with pytest.raises(JoseError):
        jws.verify(token, sign_only, algorithms=["ES256"])
    # The public form of a signing key verifies.
    assert jws.verify(token, sign_only.public_key(), algorithms=["ES256"])[1] == b"x"


# -- unsafe material -----------------------------------------------------------------


def _rsa_jwk(obj: rsa.RSAPublicKey) -> dict[str, Any]:
    numbers = obj.public_numbers()
    return {"kty": "RSA", "n": b64int(numbers.n), "e": b64int(numbers.e)}


def test_rsa_under_2048_bits_refused_everywhere() -> None:
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(_rsa_jwk(RSA_1024.public_key()))
    with pytest.raises(InvalidKeyError):
        Key.from_crypto(RSA_1024)
    pem = RSA_1024.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(InvalidKeyError):
        Key.import_pem(pem)
    Key.import_jwk(_rsa_jwk(RSA_2048.public_key()))


@pytest.mark.parametrize("e", [1, 2, 4, 65536, 0, 2**65 + 1, 2**3000 + 1])
def test_unsafe_rsa_exponent_refused(e: int) -> None:
    jwk = {**_rsa_jwk(RSA_2048.public_key()), "e": b64int(e)}
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(jwk)


def test_rsa_modulus_over_16384_bits_refused() -> None:
    # OpenSSL will not verify with it, and an odd 120,000-bit "modulus" in a
    # JWKS only costs every import time; the exponent is capped at 64 bits too.
    huge = {"kty": "RSA", "n": b64int((1 << 16400) | 0xFFFF), "e": b64int(65537)}
    with pytest.raises(InvalidKeyError, match="at most 16384"):
        Key.import_jwk(huge)


def test_rsa_exponent_three_is_accepted() -> None:
    obj = rsa.generate_private_key(public_exponent=3, key_size=2048)
    key = Key.from_crypto(obj, alg="RS256")
    assert jws.verify(jws.sign(b"x", key), key.public_key(), algorithms=["RS256"])[1] == b"x"


def test_rsa_private_parts_must_match() -> None:
    jwk = Key.from_crypto(RSA_2048).export_jwk(private=True)
    other = Key.generate("RS256").export_jwk(private=True)
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**jwk, "d": other["d"]})
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**jwk, "oth": [{"r": "AQ", "d": "AQ", "t": "AQ"}]})


def test_ec_point_off_the_curve_refused() -> None:
    jwk = Key.generate("ES256").export_jwk(private=True)
    y = base64.urlsafe_b64decode(jwk["y"] + "=")
    bad_y = b64(y[:-1] + bytes([y[-1] ^ 1]))
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**_public(jwk), "y": bad_y})
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**jwk, "y": bad_y})


def _public(jwk: dict[str, Any]) -> dict[str, Any]:
    return {m: v for m, v in jwk.items() if m not in PRIVATE_MEMBERS}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"crv": "P-384"}, id="wrong-curve"),
        pytest.param({"crv": "secp256k1"}, id="unknown-curve"),
        pytest.param({"x": "AAAA"}, id="short-x"),
        pytest.param({"y": None}, id="missing-y"),
        pytest.param({"x": 123}, id="numeric-x"),
        pytest.param({"kty": "RSA"}, id="wrong-kty"),
        pytest.param({"kty": "XYZ"}, id="unknown-kty"),
        pytest.param({"kty": None}, id="no-kty"),
        pytest.param({"kid": 7}, id="numeric-kid"),
        pytest.param({"alg": ["ES256"]}, id="list-alg"),
        pytest.param({"use": 1}, id="numeric-use"),
        pytest.param({"key_ops": "verify"}, id="string-key-ops"),
        pytest.param({"key_ops": ["verify", "verify"]}, id="duplicate-key-ops"),
        pytest.param({"x": "AAAA=="}, id="padded-x"),
    ],
)
def test_malformed_ec_jwk_refused(change: dict[str, Any]) -> None:
    jwk = Key.generate("ES256").export_jwk()
    jwk.update(change)
    jwk = {m: v for m, v in jwk.items() if v is not None}
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(jwk)


def test_ec_and_okp_private_parts_must_match() -> None:
    ec_jwk = Key.generate("ES256").export_jwk(private=True)
    other = Key.generate("ES256").export_jwk(private=True)
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**ec_jwk, "d": other["d"]})
    ed_jwk = Key.generate("EdDSA").export_jwk(private=True)
    other = Key.generate("EdDSA").export_jwk(private=True)
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**ed_jwk, "d": other["d"]})
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({**ed_jwk, "x": "AAAA"})


@pytest.mark.parametrize("jwk", [None, [], "key", 1])
def test_non_object_jwk_refused(jwk: Any) -> None:
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(jwk)


@pytest.mark.parametrize("secret", [64, None, 1.5, [1] * 32, {"k": "v"}])
def test_hmac_secret_must_be_bytes_or_text(secret: Any) -> None:
    # bytes(64) is 64 zero bytes: Key.from_secret(64) once made that guessable key.
    with pytest.raises(TypeError, match="bytes or str"):
        Key.from_secret(secret)


def test_empty_and_short_hmac_secrets_refused() -> None:
    for empty in (b"", ""):
        with pytest.raises(InvalidKeyError):
            Key.from_secret(empty)
    with pytest.raises(InvalidKeyError):
        Key.import_jwk({"kty": "oct", "k": ""})
    with pytest.raises(InvalidKeyError):
        Key.from_secret(b"s" * 31)
    with pytest.raises(InvalidKeyError):
        Key.from_secret(b"s" * 32, alg="HS384")
    with pytest.raises(InvalidKeyError):
        Key.from_secret(b"s" * 63, alg="HS512")
    short = Key.import_jwk({"kty": "oct", "k": b64(b"s" * 16)})
    with pytest.raises(InvalidKeyError):
        short.check_alg("HS256")
    token = jws.sign(b"x", Key.from_secret(b"s" * 32))
    with pytest.raises(InvalidKeyError):
        jws.verify(token, short, algorithms=["HS256"])
    assert Key.from_secret(b"s" * 64, alg="HS512").size == 512


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            RSA_2048.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode(),
            id="pem-spki",
        ),
        pytest.param(
            RSA_2048.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
            .decode(),
            id="pem-pkcs1",
        ),
        pytest.param(
            "\n  "
            + RSA_2048.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode(),
            id="pem-leading-whitespace",
        ),
        pytest.param(
            RSA_2048.public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            .decode(),
            id="ssh-rsa",
        ),
        pytest.param(
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            .decode(),
            id="ssh-ecdsa",
        ),
        pytest.param(
            ed25519.Ed25519PrivateKey.generate()
            .public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            .decode(),
            id="ssh-ed25519",
        ),
        pytest.param(json.dumps(_rsa_jwk(RSA_2048.public_key())), id="jwk-json"),
        pytest.param(
            json.dumps({"keys": [_rsa_jwk(RSA_2048.public_key())]}, indent=2), id="jwks-json"
        ),
        pytest.param("-----BEGIN CERTIFICATE-----\n" + "A" * 64 + "\n", id="certificate"),
    ],
)
def test_public_key_text_refused_as_hmac_secret(text: str) -> None:
    for secret in (text, text.encode()):
        with pytest.raises(InvalidKeyError):
            Key.from_secret(secret)
        with pytest.raises(InvalidKeyError):
            Key.from_secret(secret, alg=None)


def test_invalid_key_errors_do_not_echo_material() -> None:
    secret = "-----BEGIN PUBLIC KEY-----\nSECRETMATERIALSECRETMATERIALSECRETMATERIAL\n"
    with pytest.raises(InvalidKeyError) as info:
        Key.from_secret(secret)
    assert "SECRETMATERIAL" not in str(info.value)
    with pytest.raises(InvalidKeyError) as info:
        Key.import_jwk({"kty": "oct", "k": "SECRETMATERIAL=="})
    assert "SECRETMATERIAL" not in str(info.value)
    with pytest.raises(InvalidKeyError) as info:
        Key.import_pem(b"SECRETMATERIAL")
    assert "SECRETMATERIAL" not in str(info.value)


# -- KeySet ----------------------------------------------------------------------------


def test_key_set_refuses_duplicate_kids() -> None:
    a = Key.from_secret(b"a" * 32, kid="same")
    b = Key.from_secret(b"b" * 32, kid="same")
    with pytest.raises(InvalidKeyError):
        KeySet([a, b])
    jwks = {"keys": [a.export_jwk(private=True), b.export_jwk(private=True)]}
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks(jwks)


def test_key_set_refuses_mixing_secret_and_public_keys() -> None:
    secret = Key.from_secret(b"a" * 32, kid="s")
    public = Key.generate("ES256", kid="p").public_key()
    with pytest.raises(InvalidKeyError):
        KeySet([secret, public])
    with pytest.raises(InvalidKeyError):
        KeySet([public, secret])


@pytest.mark.parametrize("jwks", [None, {}, {"keys": None}, {"keys": {}}, [], {"keys": "x"}])
def test_malformed_jwks_refused(jwks: Any) -> None:
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks(jwks)


def test_key_set_refuses_an_unsafe_member() -> None:
    good = Key.generate("RS256", kid="good").export_jwk()
    weak = {**_rsa_jwk(RSA_1024.public_key()), "kid": "weak"}
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks({"keys": [good, weak]})


def test_key_set_select_get_export() -> None:
    rs = Key.generate("RS256", kid="rs")
    es = Key.generate("ES256", kid="es")
    ed = Key.from_crypto(Key.generate("EdDSA").crypto, kid="ed", use="sig")
    keys = KeySet([rs, es, ed])
    assert len(keys) == 3
    assert list(keys) == [rs, es, ed]
    assert keys.get("es") is es
    with pytest.raises(KeyNotFoundError):
        keys.get("missing")
    assert keys.select(kid="rs") == [rs]
    assert keys.select(kty="EC") == [es]
    assert keys.select(alg="ES256") == [es, ed]  # ed names no alg
    assert keys.select(use="sig") == [rs, es, ed]
    assert keys.select(use="enc") == []
    assert keys.select(kid="rs", kty="EC") == []
    exported = keys.export_jwks()
    assert [k["kid"] for k in exported["keys"]] == ["rs", "es", "ed"]
    assert not any(PRIVATE_MEMBERS & set(k) for k in exported["keys"])
    private = keys.export_jwks(private=True)
    assert all("d" in k for k in private["keys"])
    again = KeySet.import_jwks(exported)
    assert [k.is_private for k in again] == [False, False, False]
    token = jws.sign(b"x", es, "ES256")
    assert jws.verify(token, again, algorithms=["ES256"])[1] == b"x"


def test_key_set_select_by_key_op() -> None:
    jwk = Key.generate("ES256").export_jwk()
    a = Key.import_jwk({**jwk, "kid": "a", "key_ops": ["verify"]})
    b = Key.import_jwk({**Key.generate("ES256").export_jwk(), "kid": "b"})
    keys = KeySet([a, b])
    assert keys.select(key_op="verify") == [a, b]
    assert keys.select(key_op="encrypt") == [b]


def test_secret_key_set_export_needs_private() -> None:
    keys = KeySet([Key.from_secret(b"a" * 32, kid="a")])
    with pytest.raises(InvalidKeyError):
        keys.export_jwks()
    assert keys.export_jwks(private=True)["keys"][0]["k"] == b64(b"a" * 32)


def test_key_set_takes_keys_only() -> None:
    with pytest.raises((TypeError, InvalidKeyError)):
        KeySet([{"kty": "oct"}])  # type: ignore[list-item]


def test_import_usable_jwks_skips_what_it_cannot_use_and_counts_it() -> None:
    ours = Key.generate("ES256").public_key()
    jwks = {
        "keys": [
            {"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "quantum"},
            "not an object",
            ours.export_jwk(),
        ]
    }
    keys, skipped = KeySet.import_usable_jwks(jwks)
    assert [k.kid for k in keys] == [ours.kid]
    assert skipped == 4
    with pytest.raises(InvalidKeyError):
        KeySet.import_jwks(jwks)  # the strict import still refuses the set
    with pytest.raises(InvalidKeyError):
        KeySet.import_usable_jwks({"keys": "nope"})


def test_a_short_hmac_secret_verifies_only_when_allowed_by_name() -> None:
    """The named way out for a legacy issuer's short secret: verify, never sign."""
    from gatepass.errors import BadSignatureError
    from gatepass.jose import decode, encode

    with pytest.raises(InvalidKeyError, match="shorter than the hash"):
        Key.from_secret("secret")
    legacy = Key.from_secret("secret", unsafe_allow_short=True)
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(b'{"sub":"1","exp":4102444800}')
    mac = hmac.new(b"secret", signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64(mac)}"
    assert decode(token, legacy, algorithms=["HS256"])["sub"] == "1"
    with pytest.raises(InvalidKeyError, match="shorter than the hash"):
        encode({"sub": "1", "exp": 4102444800}, legacy)
    other = Key.from_secret("secreT", unsafe_allow_short=True)
    with pytest.raises(BadSignatureError):
        decode(token, other, algorithms=["HS256"])
