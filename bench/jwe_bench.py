"""Compact JWE encrypt/decrypt, µs per operation: gatepass beside joserfc and jwcrypto.

Run: ``.venv/bin/python bench/jwe_bench.py [--seconds 0.2] [--rounds 7]``. Every
library encrypts the same plaintext to the same key; each decrypts its own
tokens. The contenders of one case are timed in interleaved rounds and each
keeps its fastest round (the machine is shared and noisy: ratios are
comparable, absolute times are not). The ratio columns are the other library's
time divided by gatepass's (higher means gatepass is faster). The target is at
least 1.5x joserfc for ``dir``+``A256GCM`` and ``ECDH-ES``+``A256GCM``.

For ECDH-ES encryption a "floor" row times the ``cryptography`` calls alone
(ephemeral key, its public point, the key agreement, Concat KDF, AES-GCM) with
no JOSE work at all: no library can encrypt faster than that, so
``joserfc / floor`` is the best ratio any implementation could print here.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from joserfc import jwe as joserfc_jwe
from joserfc.jwk import import_key
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

from gatepass.jose import Key
from gatepass.jose.jwe import decrypt, encrypt, generate_key

PLAINTEXT = json.dumps(
    {"sub": "user-42", "scope": "read write", "exp": 2_000_000_000, "email": "u@example.com"}
).encode()
CASES: tuple[tuple[str, str, str | None], ...] = (
    ("dir", "A256GCM", None),
    ("A256KW", "A256GCM", None),
    ("A128KW", "A128CBC-HS256", None),
    ("ECDH-ES", "A256GCM", "P-256"),
    ("ECDH-ES", "A256GCM", "X25519"),
    ("ECDH-ES+A256KW", "A256GCM", "P-256"),
    ("RSA-OAEP-256", "A256GCM", None),
)


def _time(fn: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        fn()
    return (time.perf_counter() - start) / count * 1e6


def measure(fns: dict[str, Callable[[], object]], seconds: float, rounds: int) -> dict[str, float]:
    """µs per call of each function: interleaved rounds, the fastest round kept."""
    counts = {}
    for name, fn in fns.items():  # size each batch to take about ``seconds``
        once = _time(fn, 5)
        counts[name] = max(5, int(seconds / max(once * 1e-6, 1e-7)))
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            best[name] = min(best[name], _time(fn, counts[name]))
    return best


def _ecdh_floor(key: Key) -> Callable[[], object]:
    """The cryptography calls an ECDH-ES+A256GCM encryption cannot avoid, and nothing else."""
    public = key.public_crypto
    if isinstance(public, x25519.X25519PublicKey):

        def agree() -> tuple[bytes, bytes]:
            eph = x25519.X25519PrivateKey.generate()
            return eph.exchange(public), eph.public_key().public_bytes_raw()

    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        curve, ecdh = public.curve, ec.ECDH()
        x962, point = serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint

        def agree() -> tuple[bytes, bytes]:
            eph_ec = ec.generate_private_key(curve)
            return eph_ec.exchange(ecdh, public), eph_ec.public_key().public_bytes(x962, point)

    def floor() -> bytes:
        z, _ = agree()
        cek = ConcatKDFHash(hashes.SHA256(), 32, b"A256GCM").derive(z)
        return AESGCM(cek).encrypt(os.urandom(12), PLAINTEXT, b"header")

    return floor


def _ours(key: Key, alg: str, enc: str) -> tuple[Callable[[], object], Callable[[], object]]:
    sender = key if key.kty == "oct" else key.public_key()
    token = encrypt(PLAINTEXT, sender, alg=alg, enc=enc)
    assert decrypt(token, key, algorithms=[alg], encryptions=[enc])[1] == PLAINTEXT
    return (
        lambda: encrypt(PLAINTEXT, sender, alg=alg, enc=enc),
        lambda: decrypt(token, key, algorithms=[alg], encryptions=[enc]),
    )


def _joserfc(key: Key, alg: str, enc: str) -> tuple[Callable[[], object], Callable[[], object]]:
    theirs = import_key(key.export_jwk(private=True))
    public = theirs if key.kty == "oct" else import_key(key.export_jwk())
    header, allowed = {"alg": alg, "enc": enc}, [alg, enc]
    token = joserfc_jwe.encrypt_compact(header, PLAINTEXT, public, algorithms=allowed)
    assert joserfc_jwe.decrypt_compact(token, theirs, algorithms=allowed).plaintext == PLAINTEXT
    return (
        lambda: joserfc_jwe.encrypt_compact(header, PLAINTEXT, public, algorithms=allowed),
        lambda: joserfc_jwe.decrypt_compact(token, theirs, algorithms=allowed),
    )


def _jwcrypto(key: Key, alg: str, enc: str) -> tuple[Callable[[], object], Callable[[], object]]:
    theirs = jwcrypto_jwk.JWK(**key.export_jwk(private=True))
    public = theirs if key.kty == "oct" else jwcrypto_jwk.JWK(**key.export_jwk())
    protected = json.dumps({"alg": alg, "enc": enc})

    def enc_once() -> str:
        token = jwcrypto_jwe.JWE(PLAINTEXT, protected=protected)
        token.add_recipient(public)
        result: str = token.serialize(compact=True)
        return result

    token = enc_once()

    def dec_once() -> Any:
        obj = jwcrypto_jwe.JWE()
        obj.deserialize(token, theirs)
        return obj.payload

    assert dec_once() == PLAINTEXT
    return enc_once, dec_once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.2, help="time per batch")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    args = parser.parse_args()
    rows, verdicts = [], []
    for alg, enc, crv in CASES:
        key = generate_key(alg, enc=enc, crv=crv or "P-256")
        name = f"{alg}+{enc}" + (f" ({crv})" if crv else "")
        fns: dict[str, Callable[[], object]] = {}
        for library, make in (("gatepass", _ours), ("joserfc", _joserfc), ("jwcrypto", _jwcrypto)):
            fns[f"{library} encrypt"], fns[f"{library} decrypt"] = make(key, alg, enc)
        if alg == "ECDH-ES":
            fns["floor encrypt"] = _ecdh_floor(key)
        best = measure(fns, args.seconds, args.rounds)
        for op in ("encrypt", "decrypt"):
            ours, theirs = best[f"gatepass {op}"], best[f"joserfc {op}"]
            rows.append((name, op, ours, theirs, best[f"jwcrypto {op}"]))
            if alg in ("dir", "ECDH-ES") and enc == "A256GCM":
                verdicts.append(
                    f"{name} {op} >= 1.5x joserfc: {theirs / ours:.2f}x "
                    f"{'PASS' if theirs / ours >= 1.5 else 'FAIL'}"
                )
        if "floor encrypt" in best:
            floor = best["floor encrypt"]
            rows.append((f"{name}: floor", "encrypt", floor, *rows[-2][3:]))
            verdicts.append(
                f"{name} encrypt: the cryptography calls alone are "
                f"{best['joserfc encrypt'] / floor:.2f}x joserfc; gatepass adds "
                f"{best['gatepass encrypt'] - floor:.1f} µs to them"
            )
    header = (
        f"{'case':<44} {'op':<8} {'gatepass':>10} {'joserfc':>10} {'jwcrypto':>10}"
        f" {'vs joserfc':>11} {'vs jwcrypto':>12}"
    )
    print(f"µs/op, best of {args.rounds} interleaved rounds (lower is better)")
    print("ratios = other / gatepass (higher: gatepass faster)")
    print(header)
    print("-" * len(header))
    for name, op, ours, joserfc_us, jwcrypto_us in rows:
        print(
            f"{name:<44} {op:<8} {ours:>10.1f} {joserfc_us:>10.1f} {jwcrypto_us:>10.1f}"
            f" {joserfc_us / ours:>10.2f}x {jwcrypto_us / ours:>11.2f}x"
        )
    print("\nTargets")
    for line in verdicts:
        print(f"  {line}")


if __name__ == "__main__":
    main()
