"""Compact JWE encrypt/decrypt, µs per operation: gatepass beside joserfc and jwcrypto.

Run: ``.venv/bin/python bench/jwe_bench.py [--seconds 0.3]``. Every library
encrypts the same plaintext to the same key; each decrypts its own tokens. The
ratio columns are the other library's time divided by gatepass's (higher means
gatepass is faster). The target is at least 1.5x joserfc for ``dir``+``A256GCM``
and ``ECDH-ES``+``A256GCM``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

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


def per_op_us(fn: Callable[[], object], seconds: float) -> float:
    """Best of three timed runs, each at least ``seconds`` long, in µs per call."""
    fn()
    best = float("inf")
    for _ in range(3):
        count, start = 0, time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(20):
                fn()
            count += 20
            now = time.perf_counter()
            if now >= deadline:
                break
        best = min(best, (now - start) / count * 1e6)
    return best


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
    parser.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    args = parser.parse_args()
    rows = []
    for alg, enc, crv in CASES:
        key = generate_key(alg, enc=enc, crv=crv or "P-256")
        name = f"{alg}+{enc}" + (f" ({crv})" if crv else "")
        timings = [
            [per_op_us(fn, args.seconds) for fn in make(key, alg, enc)]
            for make in (_ours, _joserfc, _jwcrypto)
        ]
        for op, column in (("encrypt", 0), ("decrypt", 1)):
            ours, joserfc_us, jwcrypto_us = (t[column] for t in timings)
            rows.append((name, op, ours, joserfc_us, jwcrypto_us))
    header = (
        f"{'case':<34} {'op':<8} {'gatepass':>10} {'joserfc':>10} {'jwcrypto':>10}"
        f" {'vs joserfc':>11} {'vs jwcrypto':>12}"
    )
    print("µs/op (lower is better); ratios = other / gatepass (higher: gatepass faster)")
    print(header)
    print("-" * len(header))
    for name, op, ours, joserfc_us, jwcrypto_us in rows:
        print(
            f"{name:<34} {op:<8} {ours:>10.1f} {joserfc_us:>10.1f} {jwcrypto_us:>10.1f}"
            f" {joserfc_us / ours:>10.2f}x {jwcrypto_us / ours:>11.2f}x"
        )


if __name__ == "__main__":
    main()
