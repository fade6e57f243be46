"""Keys: one validated key from a JWK, PEM/DER, a raw secret or a ``cryptography`` object.

A ``Key`` is immutable and validated when it is made: unsafe material (short
RSA moduli, bad exponents, points off the curve, empty secrets, public-key
text offered as an HMAC secret) never becomes a Key. Whether a key may be used
with a given algorithm is decided in one place, :meth:`Key.check_alg`. Reading
and writing JWK members is :mod:`gatepass.jose.jwk`; key sets (JWKS) are
:mod:`gatepass.jose.keyset`.
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gatepass.errors import AlgorithmNotAllowedError, InvalidKeyError
from gatepass.jose._keymaterial import (
    EC_CURVES,
    OKP_PRIVATE,
    AnyKey,
    Material,
    check_rsa_numbers,
    from_crypto_object,
    looks_like_public_key_text,
)
from gatepass.jose.algorithms import (
    ALGORITHMS,
    Algorithm,
    SignFn,
    VerifyFn,
    make_signer,
    make_verifier,
)
from gatepass.jose.jwk import export_members, public_ops, read_jwk, thumbprint_of

__all__ = ["Key"]


class Key:
    """One validated key with its JWK metadata. Build it with a ``Key.*`` constructor."""

    __slots__ = (
        "_kid",
        "_members",
        "_private_members",
        "_signers",
        "_verifiers",
        "alg",
        "crv",
        "crypto",
        "is_private",
        "key_ops",
        "kid_explicit",
        "kty",
        "public_crypto",
        "secret",
        "size",
        "unsafe_short_secret",
        "use",
    )

    kty: str
    kid_explicit: bool
    unsafe_short_secret: bool  # an HMAC secret shorter than the hash, allowed by name
    _kid: str | None
    _members: Mapping[str, str]
    _private_members: Mapping[str, str]
    _verifiers: dict[str, VerifyFn]
    _signers: dict[str, SignFn]
    alg: str | None
    use: str | None
    key_ops: frozenset[str] | None
    crv: str | None
    is_private: bool
    size: int
    secret: bytes | None
    crypto: AnyKey | None
    public_crypto: AnyKey | None

    def __init__(
        self,
        material: Material,
        *,
        kid: str | None = None,
        alg: str | None = None,
        use: str | None = None,
        key_ops: Iterable[str] | None = None,
        unsafe_short_secret: bool = False,
    ) -> None:
        _check_safe(material)
        fields = {
            "kty": material.kty,
            "crv": material.crv,
            "size": material.size,
            "secret": material.secret,
            "crypto": material.crypto,
            "public_crypto": material.public_crypto,
            "is_private": material.is_private,
            "_members": material.public_members,
            "_private_members": material.private_members,
            "alg": alg,
            "use": use,
            "key_ops": None if key_ops is None else frozenset(key_ops),
            # A kid the key was given must match a token's kid; a default one
            # (the thumbprint, computed on first use) only names the key.
            "kid_explicit": kid is not None,
            "unsafe_short_secret": unsafe_short_secret and material.kty == "oct",
            "_kid": kid,
            "_verifiers": {},
            "_signers": {},
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Key objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Key objects are immutable")

    @property
    def kid(self) -> str:
        """The key id: the one it was given, else its RFC 7638 thumbprint."""
        if self._kid is None:
            object.__setattr__(self, "_kid", self.thumbprint())
        assert self._kid is not None
        return self._kid

    # -- constructors -------------------------------------------------------

    @classmethod
    def import_jwk(cls, jwk: Mapping[str, Any]) -> Key:
        """Import a JWK (RFC 7517). Unknown or malformed material raises InvalidKeyError."""
        material, (kid, alg, use, key_ops) = read_jwk(jwk)
        return cls(material, kid=kid, alg=alg, use=use, key_ops=key_ops)

    @classmethod
    def from_secret(
        cls,
        secret: str | bytes,
        *,
        alg: str | None = "HS256",
        kid: str | None = None,
        unsafe_allow_short: bool = False,
    ) -> Key:
        """An HMAC key from raw secret bytes (a str is taken as UTF-8).

        A secret shorter than the hash output (32/48/64 bytes for HS256/384/512,
        RFC 7518 §3.2) is refused: one token lets anyone brute-force it offline.
        ``unsafe_allow_short=True`` takes it anyway for verifying the tokens of a
        legacy issuer while its secret is rotated; signing with it stays refused.
        """
        if not isinstance(secret, str | bytes | bytearray | memoryview):
            # bytes(64) would be 64 zero bytes: a key anyone can guess
            raise TypeError("The HMAC secret must be bytes or str")
        raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        if not raw:
            raise InvalidKeyError("The HMAC secret is empty")
        if looks_like_public_key_text(raw):
            raise InvalidKeyError("Key material that looks like a public key is not an HMAC secret")
        key = cls(Material.oct(raw), kid=kid, alg=alg, unsafe_short_secret=unsafe_allow_short)
        if alg is not None:
            key.check_alg(alg, "verify")
        return key

    @classmethod
    def from_crypto(
        cls, obj: object, *, kid: str | None = None, alg: str | None = None, use: str | None = None
    ) -> Key:
        """Wrap a ``cryptography`` private or public key object."""
        return cls(from_crypto_object(obj), kid=kid, alg=alg, use=use)

    @classmethod
    def import_pem(
        cls,
        data: str | bytes,
        *,
        password: bytes | None = None,
        alg: str | None = None,
        kid: str | None = None,
        use: str | None = None,
    ) -> Key:
        """A PEM private key, public key or X.509 certificate."""
        raw = data.encode("ascii", "replace") if isinstance(data, str) else data
        return cls.from_crypto(_load(raw, password, pem=True), kid=kid, alg=alg, use=use)

    @classmethod
    def import_der(
        cls,
        data: bytes,
        *,
        password: bytes | None = None,
        alg: str | None = None,
        kid: str | None = None,
        use: str | None = None,
    ) -> Key:
        """A DER private key, public key or X.509 certificate."""
        return cls.from_crypto(_load(data, password, pem=False), kid=kid, alg=alg, use=use)

    @classmethod
    def generate(
        cls, alg: str, *, kid: str | None = None, rsa_bits: int = 2048, crv: str | None = None
    ) -> Key:
        """A fresh key for signature algorithm ``alg`` (``EdDSA``: Ed25519 unless ``crv``)."""
        spec = ALGORITHMS.get(alg)
        if spec is None:
            raise AlgorithmNotAllowedError("Unsupported algorithm")
        obj: object
        if spec.family == "HMAC":
            secret = _secrets.token_bytes(spec.min_secret_bytes)
            if kid is None:
                kid = Key(Material.oct(secret)).kid
            return cls.from_secret(secret, alg=alg, kid=kid)
        if spec.kty == "RSA":
            obj = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        elif spec.kty == "EC":
            (curve_name,) = spec.curves
            obj = ec.generate_private_key(EC_CURVES[curve_name][0]())
        else:
            chosen = crv or "Ed25519"
            if chosen not in spec.curves:
                raise InvalidKeyError("Unsupported curve for this algorithm")
            obj = OKP_PRIVATE[chosen][0].generate()
        key = cls.from_crypto(obj, kid=kid, alg=alg, use="sig")
        return key if kid is not None else cls.from_crypto(obj, kid=key.kid, alg=alg, use="sig")

    # -- use ------------------------------------------------------------------

    def check_alg(self, alg: str, op: str = "verify") -> Algorithm:
        """The algorithm ``alg`` if this key may perform ``op`` ("sign"/"verify") with it."""
        spec = ALGORITHMS.get(alg)
        if spec is None or (self.alg is not None and self.alg != alg):
            raise AlgorithmNotAllowedError()
        if spec.kty != self.kty or (spec.curves and self.crv not in spec.curves):
            raise AlgorithmNotAllowedError("The algorithm does not match the key type")
        if self.use is not None and self.use != "sig":
            raise InvalidKeyError("The key is not meant for signatures")
        if self.key_ops is not None and op not in self.key_ops:
            raise InvalidKeyError("The key's key_ops do not allow this operation")
        if (
            spec.family == "HMAC"
            and self.size // 8 < spec.min_secret_bytes
            and not (self.unsafe_short_secret and op == "verify")
        ):
            raise InvalidKeyError("The HMAC secret is shorter than the hash output")
        if op == "sign" and not self.is_private:
            raise InvalidKeyError("Signing needs a private key")
        return spec

    def verifier(self, alg: str) -> VerifyFn:
        """The prepared verify function for ``alg`` (checked once, then cached)."""
        fn = self._verifiers.get(alg)
        if fn is None:
            fn = self._verifiers[alg] = make_verifier(self.check_alg(alg, "verify"), self)
        return fn

    def signer(self, alg: str) -> SignFn:
        """The prepared sign function for ``alg`` (checked once, then cached)."""
        fn = self._signers.get(alg)
        if fn is None:
            fn = self._signers[alg] = make_signer(self.check_alg(alg, "sign"), self)
        return fn

    # -- export -----------------------------------------------------------------

    def public_key(self) -> Key:
        """This key without its private part (refused for secret keys)."""
        if self.kty == "oct":
            raise InvalidKeyError("A secret key has no public form")
        if not self.is_private:
            return self
        ops = None if self.key_ops is None else public_ops(self.key_ops)
        return Key(
            from_crypto_object(self.public_crypto),
            kid=self.kid if self.kid_explicit else None,
            alg=self.alg,
            use=self.use,
            key_ops=ops,
        )

    def export_jwk(self, private: bool = False) -> dict[str, Any]:
        """The JWK; public members only unless ``private=True``."""
        if self.kty == "oct" and not private:
            raise InvalidKeyError("A secret key can only be exported with private=True")
        members = {**self._members, **self._private_members} if private else self._members
        ops = self.key_ops if private or self.key_ops is None else public_ops(self.key_ops)
        return export_members(members, kid=self.kid, alg=self.alg, use=self.use, key_ops=ops)

    def export_pem(self, private: bool = False) -> bytes:
        """PEM (PKCS#8 private or SubjectPublicKeyInfo public); not for secret keys."""
        if self.kty == "oct":
            raise InvalidKeyError("A secret key has no PEM form")
        if private:
            if not self.is_private:
                raise InvalidKeyError("This is a public key")
            return self.crypto.private_bytes(  # type: ignore[union-attr]
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        return self.public_crypto.public_bytes(  # type: ignore[union-attr]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def thumbprint(self, hash_name: str = "sha256") -> str:
        """The RFC 7638 JWK thumbprint, base64url."""
        return thumbprint_of(self.kty, {**self._members, **self._private_members}, hash_name)

    def __repr__(self) -> str:
        part = "private" if self.is_private else "public"
        return f"Key(kty={self.kty!r}, kid={self.kid!r}, alg={self.alg!r}, {part})"


def _check_safe(material: Material) -> None:
    if material.kty == "RSA":
        public = material.public_crypto
        assert isinstance(public, rsa.RSAPublicKey)
        check_rsa_numbers(public.public_numbers())
    elif material.kty == "oct" and not material.secret:
        raise InvalidKeyError("The secret key is empty")


def _load(data: bytes, password: bytes | None, *, pem: bool) -> object:
    loaders = (
        (
            lambda: serialization.load_pem_private_key(data, password),
            lambda: serialization.load_pem_public_key(data),
            lambda: x509.load_pem_x509_certificate(data).public_key(),
        )
        if pem
        else (
            lambda: serialization.load_der_private_key(data, password),
            lambda: serialization.load_der_public_key(data),
            lambda: x509.load_der_x509_certificate(data).public_key(),
        )
    )
    for load in loaders:
        try:
            return load()
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
    raise InvalidKeyError("The key could not be loaded")
