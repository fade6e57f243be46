"""JWT encode/decode: gatepass beside PyJWT and joserfc, and beside the bare verify call.

    .venv/bin/python bench/jose_bench.py            # about a minute
    .venv/bin/python bench/jose_bench.py --quick    # about fifteen seconds

Decode always validates claims (exp, iss, aud) in every library. The machine
is shared and noisy, so contenders are timed in interleaved rounds and each
reports its fastest round: ratios are comparable, absolute times are not.
"""

from __future__ import annotations

import argparse
import binascii
import time
import timeit
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt as pyjwt
import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry

from gatepass.jose import Key, Verifier, decode, encode
from gatepass.jose._b64 import b64decode

ISSUER, AUDIENCE = "https://auth.example.com", "api"
Fn = Callable[[], object]


@dataclass
class Case:
    alg: str
    fns: dict[str, Fn]


def _claims() -> dict[str, object]:
    now = int(time.time())
    return {
        "sub": "101",
        "email": "ada@example.com",
        "role": "admin",
        "iat": now,
        "exp": now + 900,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }


def _bare(alg: str, key: Key, token: str) -> Fn:
    """The cryptography verify call alone, with everything it needs prepared."""
    h64, p64, s64 = token.split(".")
    data, sig = f"{h64}.{p64}".encode(), b64decode(s64)
    public = key.public_crypto
    if alg == "RS256":
        assert isinstance(public, rsa.RSAPublicKey)
        pad, sha = padding.PKCS1v15(), hashes.SHA256()
        return lambda: public.verify(sig, data, pad, sha)
    if alg == "ES256":
        assert isinstance(public, ec.EllipticCurvePublicKey)
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        ecdsa = ec.ECDSA(hashes.SHA256())
        return lambda: public.verify(der, data, ecdsa)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    return lambda: public.verify(sig, data)


def _case(alg: str) -> Case:
    claims = _claims()
    key = Key.generate(alg)
    if alg == "HS256":
        assert key.secret is not None
        py_sign: Any = key.secret
        py_verify: Any = key.secret
        jr_key: object = OctKey.import_key(key.secret)
        verify_key = key
    else:
        pem_private = key.export_pem(private=True)
        # PyJWT gets prepared key objects: passing PEM would time its key parsing.
        py_sign, py_verify = key.crypto, key.public_crypto
        jr_cls: Any = {"RS256": RSAKey, "ES256": ECKey, "EdDSA": OKPKey}[alg]
        jr_key = jr_cls.import_key(pem_private)
        verify_key = key.public_key()
    token = encode(claims, key)
    prepared = Verifier(verify_key, algorithms=[alg], issuer=ISSUER, audience=AUDIENCE)
    registry = JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": AUDIENCE}
    )

    def joserfc_decode() -> object:
        decoded = joserfc_jwt.decode(token, jr_key, algorithms=[alg])  # type: ignore[arg-type]
        registry.validate(decoded.claims)
        return decoded

    fns: dict[str, Fn] = {
        "gatepass decode": lambda: decode(
            token, verify_key, algorithms=[alg], issuer=ISSUER, audience=AUDIENCE
        ),
        "gatepass Verifier.decode": lambda: prepared.decode(token),
        "PyJWT decode": lambda: pyjwt.decode(
            token, py_verify, algorithms=[alg], issuer=ISSUER, audience=AUDIENCE
        ),
        "joserfc decode": joserfc_decode,
        "gatepass encode": lambda: encode(claims, key),
        "PyJWT encode": lambda: pyjwt.encode(claims, py_sign, algorithm=alg),
        "joserfc encode": lambda: joserfc_jwt.encode(
            {"alg": alg},
            claims,
            jr_key,  # type: ignore[arg-type]
            algorithms=[alg],
        ),
    }
    if alg != "HS256":
        fns["bare cryptography verify"] = _bare(alg, verify_key, token)
        fns["floor: split+b64+verify+json"] = _floor(alg, verify_key, token)
    return Case(alg, fns)


def _floor(alg: str, key: Key, token: str) -> Fn:
    """The least any Python decode must do around the verify call, with the
    fastest primitives and no strictness at all: split, decode the signature and
    payload, verify, parse the JSON, compare exp/iss/aud. It shows how much of
    the 1.2x budget the work every decode must do leaves."""
    public = key.public_crypto
    pad, sha = padding.PKCS1v15(), hashes.SHA256()
    ecdsa = ec.ECDSA(hashes.SHA256())
    a2b, loads, clock = binascii.a2b_base64, orjson.loads, time.time

    def check(data: bytes, sig: bytes) -> None:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(sig, data, pad, sha)
        elif isinstance(public, ec.EllipticCurvePublicKey):
            r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
            public.verify(encode_dss_signature(r, s), data, ecdsa)
        else:
            assert isinstance(public, ed25519.Ed25519PublicKey)
            public.verify(sig, data)

    def floor() -> object:
        h64, p64, s64 = token.split(".")
        check(f"{h64}.{p64}".encode(), a2b(s64.replace("-", "+").replace("_", "/") + "=="))
        claims = loads(a2b(p64.replace("-", "+").replace("_", "/") + "=="))
        if claims["exp"] <= clock() or claims["iss"] != ISSUER or claims["aud"] != AUDIENCE:
            raise ValueError
        return claims

    return floor


def _measure(case: Case, rounds: int, seconds: float) -> dict[str, float]:
    batch = {}
    for name, fn in case.fns.items():  # size batches so one round takes about `seconds`
        once = timeit.timeit(fn, number=20) / 20
        batch[name] = max(5, int(seconds / len(case.fns) / rounds / max(once, 1e-7)))
    best = {name: float("inf") for name in case.fns}
    for _ in range(rounds):
        for name, fn in case.fns.items():
            per_op = timeit.timeit(fn, number=batch[name]) / batch[name] * 1e6
            best[name] = min(best[name], per_op)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (~15 s)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 15, quick 6)")
    parser.add_argument("--seconds", type=float, help="seconds per case (default 12, quick 3)")
    args = parser.parse_args()
    # joserfc warns that "EdDSA" is deprecated by RFC 9864; the token is the same.
    warnings.simplefilter("ignore")
    rounds, seconds = (6, 3.0) if args.quick else (15, 12.0)
    rounds, seconds = args.rounds or rounds, args.seconds or seconds
    verdicts = []
    for alg in ("HS256", "RS256", "ES256", "EdDSA"):
        best = _measure(_case(alg), rounds, seconds)
        print(f"\n{alg}  (µs/op, best of {rounds} interleaved rounds)")
        for name, value in best.items():
            print(f"  {name:26s} {value:9.2f}")
        gp = best["gatepass decode"]
        print(
            f"  decode: PyJWT / gatepass = {best['PyJWT decode'] / gp:5.2f}x, "
            f"joserfc / gatepass = {best['joserfc decode'] / gp:5.2f}x"
        )
        print(
            f"  encode: PyJWT / gatepass = {best['PyJWT encode'] / best['gatepass encode']:5.2f}x, "
            f"joserfc / gatepass = {best['joserfc encode'] / best['gatepass encode']:5.2f}x"
        )
        if alg == "HS256":
            ratio = best["PyJWT decode"] / gp
            verdicts.append(
                f"HS256 decode >= 5x faster than PyJWT: {ratio:.2f}x "
                f"{'PASS' if ratio >= 5 else 'FAIL'}"
            )
        else:
            bare = best["bare cryptography verify"]
            ratio, prepared = gp / bare, best["gatepass Verifier.decode"] / bare
            floor = best["floor: split+b64+verify+json"] / bare
            print(
                f"  gatepass decode / bare verify = {ratio:.3f}x (Verifier.decode: {prepared:.3f}x;"
                f" the unchecked floor: {floor:.3f}x)"
            )
            verdicts.append(
                f"{alg} decode <= 1.2x bare verify: {ratio:.3f}x (unchecked floor {floor:.3f}x) "
                f"{'PASS' if ratio <= 1.2 else 'FAIL'}"
            )
    print("\nTargets")
    for line in verdicts:
        print(f"  {line}")


if __name__ == "__main__":
    main()
