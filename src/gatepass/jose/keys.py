"""Keys (RFC 7517 JWK, PEM/DER, raw secrets) and key sets (JWKS).

A ``Key`` is immutable and validated when it is made: unsafe material (short
RSA moduli, bad exponents, points off the curve, empty secrets, public-key
text offered as an HMAC secret) never becomes a Key. Whether a key may be used
with a given algorithm is decided in one place, :meth:`Key.check_alg`.
"""

from __future__ import annotations

import hashlib
import secrets as _secrets
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import orjson
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gatepass.errors import (
    AlgorithmNotAllowedError,
    InvalidKeyError,
    KeyNotFoundError,
    MalformedTokenError,
)
from gatepass.jose._b64 import b64decode, b64encode
from gatepass.jose._keymaterial import (
    EC_CURVES,
    OKP_PRIVATE,
    OKP_PUBLIC,
    AnyKey,
    Material,
    from_crypto_object,
    has_roca_fingerprint,
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

__all__ = ["Key", "KeySet"]

MIN_RSA_BITS: Final = 2048
MAX_RSA_BITS: Final = 16384
_PUBLIC_OPS: Final = {"sign": "verify", "decrypt": "encrypt", "unwrapKey": "wrapKey"}
_THUMBPRINT_MEMBERS: Final = {
    "oct": ("k", "kty"),
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}


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
        if not isinstance(jwk, Mapping):
            raise InvalidKeyError("A JWK must be a JSON object")
        kid, alg, use, key_ops = _parse_metadata(jwk)
        try:
            material = _material_from_jwk(jwk)
        except (ValueError, TypeError, UnsupportedAlgorithm, MalformedTokenError):
            raise InvalidKeyError("The JWK's key material is invalid") from None
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
        ops = None if self.key_ops is None else {_PUBLIC_OPS.get(o, o) for o in self.key_ops}
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
        jwk: dict[str, Any] = dict(self._members)
        if private:
            jwk.update(self._private_members)
        jwk["kid"] = self.kid
        if self.alg is not None:
            jwk["alg"] = self.alg
        if self.use is not None:
            jwk["use"] = self.use
        if self.key_ops is not None:
            ops = self.key_ops if private else {_PUBLIC_OPS.get(o, o) for o in self.key_ops}
            jwk["key_ops"] = sorted(ops)
        return jwk

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
        members = {**self._members, **self._private_members}
        required = {m: members[m] for m in _THUMBPRINT_MEMBERS[self.kty]}
        canonical = orjson.dumps(required, option=orjson.OPT_SORT_KEYS)
        return b64encode(hashlib.new(hash_name, canonical).digest())

    def __repr__(self) -> str:
        part = "private" if self.is_private else "public"
        return f"Key(kty={self.kty!r}, kid={self.kid!r}, alg={self.alg!r}, {part})"


class KeySet:
    """A JWK Set: keys selected by kid, alg, use, key_ops and kty."""

    __slots__ = ("_by_kid", "_keys")

    def __init__(self, keys: Iterable[Key]) -> None:
        self._keys = tuple(keys)
        self._by_kid: dict[str, Key] = {}
        for key in self._keys:
            if not isinstance(key, Key):
                raise TypeError("KeySet takes Key objects")
            if key.kid in self._by_kid:
                raise InvalidKeyError("Duplicate kid in key set")
            self._by_kid[key.kid] = key
        if len({k.kty == "oct" for k in self._keys}) > 1:
            raise InvalidKeyError("A key set must not mix secret and public keys")

    @classmethod
    def import_jwks(cls, jwks: Mapping[str, Any]) -> KeySet:
        """Import ``{"keys": [...]}``; keys of a type gatepass does not know are skipped."""
        return cls(Key.import_jwk(k) for k in _known_members(jwks))

    @classmethod
    def import_usable_jwks(cls, jwks: Mapping[str, Any]) -> tuple[KeySet, int]:
        """A third party's JWK Set: the keys gatepass can use, and how many it skipped.

        RFC 7517 §5: keys with a ``kty`` not understood, missing members, or
        values out of the supported range (a secp256k1 curve, a 1024-bit RSA
        modulus) are ignored rather than failing the whole set.
        """
        members = jwks.get("keys") if isinstance(jwks, Mapping) else None
        usable: list[Key] = []
        for member in _known_members(jwks):
            try:
                usable.append(Key.import_jwk(member))
            except InvalidKeyError:
                continue
        assert isinstance(members, list)  # _known_members checked it
        return cls(usable), len(members) - len(usable)

    def export_jwks(self, private: bool = False) -> dict[str, Any]:
        return {"keys": [k.export_jwk(private=private) for k in self._keys]}

    def select(
        self,
        *,
        kid: str | None = None,
        alg: str | None = None,
        use: str | None = None,
        key_op: str | None = None,
        kty: str | None = None,
    ) -> list[Key]:
        """Keys matching every given criterion (a key without use/key_ops/alg matches any)."""
        return [
            k
            for k in self._keys
            if (kid is None or k.kid == kid)
            and (kty is None or k.kty == kty)
            and (alg is None or k.alg in (None, alg))
            and (use is None or k.use in (None, use))
            and (key_op is None or k.key_ops is None or key_op in k.key_ops)
        ]

    def get(self, kid: str) -> Key:
        try:
            return self._by_kid[kid]
        except (KeyError, TypeError):
            raise KeyNotFoundError() from None

    def __iter__(self) -> Iterator[Key]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeySet({len(self._keys)} keys)"


_KNOWN_KTY: Final = frozenset(_THUMBPRINT_MEMBERS)


def _parse_metadata(
    jwk: Mapping[str, Any],
) -> tuple[str | None, str | None, str | None, list[str] | None]:
    kid, alg, use, ops = (jwk.get(m) for m in ("kid", "alg", "use", "key_ops"))
    for value in (kid, alg, use):
        if value is not None and not isinstance(value, str):
            raise InvalidKeyError("JWK kid, alg and use must be strings")
    if ops is not None and (
        not isinstance(ops, list)
        or not all(isinstance(o, str) for o in ops)
        or len(set(ops)) != len(ops)
    ):
        raise InvalidKeyError("JWK key_ops must be a list of distinct strings")
    return kid, alg, use, ops


def _b64_member(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKeyError("The JWK lacks a required member")
    return b64decode(value)


def _int_member(jwk: Mapping[str, Any], name: str) -> int:
    return int.from_bytes(_b64_member(jwk, name), "big")


def _material_from_jwk(jwk: Mapping[str, Any]) -> Material:
    kty = jwk.get("kty")
    if kty == "oct":
        return Material.oct(_b64_member(jwk, "k"))
    if kty == "RSA":
        if "oth" in jwk:
            raise InvalidKeyError("Multi-prime RSA keys are not supported")
        public = rsa.RSAPublicNumbers(_int_member(jwk, "e"), _int_member(jwk, "n"))
        _check_rsa_numbers(public)
        if "d" not in jwk:
            return from_crypto_object(public.public_key())
        p, q, d = (_int_member(jwk, m) for m in ("p", "q", "d"))
        dp, dq, qi = (_int_member(jwk, m) for m in ("dp", "dq", "qi"))
        return from_crypto_object(rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key())
    if kty == "EC":
        curve_cls, size = EC_CURVES.get(jwk.get("crv"), (None, 0))  # type: ignore[arg-type]
        if curve_cls is None:
            raise InvalidKeyError("Unsupported elliptic curve")
        x, y = _b64_member(jwk, "x"), _b64_member(jwk, "y")
        if len(x) != size or len(y) != size:
            raise InvalidKeyError("EC coordinates have the wrong length")
        pub_nums = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve_cls()
        )
        pub = pub_nums.public_key()  # raises ValueError for a point off the curve
        if "d" not in jwk:
            return from_crypto_object(pub)
        scalar = _b64_member(jwk, "d")
        if len(scalar) != size:
            raise InvalidKeyError("EC private scalar has the wrong length")
        priv = ec.derive_private_key(int.from_bytes(scalar, "big"), curve_cls())
        if priv.public_key().public_numbers() != pub_nums:
            raise InvalidKeyError("EC private and public parts do not match")
        return from_crypto_object(priv)
    if kty == "OKP":
        crv = jwk.get("crv")
        if not isinstance(crv, str) or crv not in OKP_PUBLIC:
            raise InvalidKeyError("Unsupported OKP curve")
        pub_cls, size = OKP_PUBLIC[crv]
        x = _b64_member(jwk, "x")
        if len(x) != size:
            raise InvalidKeyError("OKP public key has the wrong length")
        if "d" not in jwk:
            return from_crypto_object(pub_cls.from_public_bytes(x))
        private = _b64_member(jwk, "d")
        if len(private) != OKP_PRIVATE[crv][1]:
            raise InvalidKeyError("OKP private key has the wrong length")
        priv = OKP_PRIVATE[crv][0].from_private_bytes(private)
        material = from_crypto_object(priv)
        if material.public_members["x"] != jwk["x"]:
            raise InvalidKeyError("OKP private and public parts do not match")
        return material
    raise InvalidKeyError("Unsupported key type")


def _check_rsa_numbers(public: rsa.RSAPublicNumbers) -> None:
    if public.n.bit_length() < MIN_RSA_BITS:
        raise InvalidKeyError("RSA keys must be at least 2048 bits")
    if public.n.bit_length() > MAX_RSA_BITS:  # OpenSSL's own limit; larger only costs time
        raise InvalidKeyError("RSA keys must be at most 16384 bits")
    if public.e < 3 or public.e % 2 == 0 or public.e.bit_length() > 64:
        raise InvalidKeyError("The RSA public exponent is unsafe")
    if has_roca_fingerprint(public.n):
        raise InvalidKeyError("The RSA key was made by a generator with a known flaw (ROCA)")


def _check_safe(material: Material) -> None:
    if material.kty == "RSA":
        public = material.public_crypto
        assert isinstance(public, rsa.RSAPublicKey)
        _check_rsa_numbers(public.public_numbers())
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


def _known_members(jwks: Mapping[str, Any]) -> list[Any]:
    """The ``keys`` of a JWK Set whose ``kty`` gatepass knows (others are ignored)."""
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise InvalidKeyError("A JWK Set must be an object with a list of keys")
    return [k for k in keys if not isinstance(k, Mapping) or k.get("kty") in _KNOWN_KTY]
