"""Key: generation, PEM/DER and secrets, the binding to algorithms, and unsafe material."""

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

from gatepass.errors import AlgorithmNotAllowedError, InvalidKeyError, JoseError
from gatepass.jose import Key, jws
from tests.jose.keyhelpers import RSA_1024, RSA_2048, b64, rsa_jwk

# -- generation, export, import ------------------------------------------------------


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


def test_rsa_under_2048_bits_refused_everywhere() -> None:
    with pytest.raises(InvalidKeyError):
        Key.import_jwk(rsa_jwk(RSA_1024.public_key()))
    with pytest.raises(InvalidKeyError):
        Key.from_crypto(RSA_1024)
    pem = RSA_1024.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(InvalidKeyError):
        Key.import_pem(pem)
    Key.import_jwk(rsa_jwk(RSA_2048.public_key()))


def test_rsa_exponent_three_is_accepted() -> None:
    obj = rsa.generate_private_key(public_exponent=3, key_size=2048)
    key = Key.from_crypto(obj, alg="RS256")
    assert jws.verify(jws.sign(b"x", key), key.public_key(), algorithms=["RS256"])[1] == b"x"


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
        pytest.param(json.dumps(rsa_jwk(RSA_2048.public_key())), id="jwk-json"),
        pytest.param(
            json.dumps({"keys": [rsa_jwk(RSA_2048.public_key())]}, indent=2), id="jwks-json"
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


def test_a_short_hmac_secret_verifies_only_when_allowed_by_name() -> None:
    """The named way out for a legacy issuer's short secret: verify, never sign."""
    from gatepass.errors import BadSignatureError
    from gatepass.jose import decode, encode

    with pytest.raises(InvalidKeyError, match="shorter than the hash"):
        Key.from_secret("secret")
    legacy = Key.from_secret("secret", unsafe_allow_short=True)
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
