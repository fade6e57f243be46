"""The benchmarks still run and print their verdicts (bench/run_all.py: every target).

Speed is never asserted here (machines are noisy); this only keeps the
scripts the closing notes quote from rotting. Each runs for about a second
with the smallest batches and one round.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_jose_bench_prints_a_verdict_per_target() -> None:
    out = run("jose_bench.py", "--rounds", "1", "--seconds", "0.2")
    targets = out.split("Targets", 1)[1].splitlines()
    verdicts = [line for line in targets if line.strip()]
    assert [v.split()[0] for v in verdicts] == ["HS256", "RS256", "ES256", "EdDSA"]
    assert all(v.endswith(("PASS", "FAIL")) for v in verdicts)
    assert "the unchecked floor" in out


@pytest.fixture(scope="module")
def jwe_targets() -> str:
    return run("jwe_bench.py", "--rounds", "1", "--seconds", "0.001").split("Targets", 1)[1]


@pytest.mark.parametrize("case", ["dir+A256GCM", "ECDH-ES+A256GCM (P-256)"])
def test_jwe_bench_prints_a_verdict_per_target(jwe_targets: str, case: str) -> None:
    for op in ("encrypt", "decrypt"):
        line = next(v for v in jwe_targets.splitlines() if f"{case} {op} >= 1.5x" in v)
        assert line.endswith(("PASS", "FAIL"))


def test_jwe_bench_prints_the_ecdh_floor(jwe_targets: str) -> None:
    assert "(P-256) encrypt: the cryptography calls alone are" in jwe_targets
    assert "(X25519) encrypt: the cryptography calls alone are" in jwe_targets


def test_run_all_prints_every_target_in_one_table() -> None:
    # SQLite only and one tiny round of each: that it runs, not what it measures.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEPASS_TEST_")}
    result = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("\ntarget ", 1)[1].splitlines()[1:]
    rows = [line for line in table if line.strip() and not line.startswith(("\n", "("))]
    names = [row for row in rows if row.endswith(("met", "NOT MET"))]
    for wanted in (
        "gatepass serve /dashboard vs guide express",
        "protect on Starlette vs guide express",
        "FastAPI Depends(auth) cost",
        "gatepass route without auth vs bare FastAPI",
        "refresh rotations/s vs JWKS/s, SQLite",
        "logins/s vs Argon2id alone",
        "protected p99 during a login storm",
        "RSS growth after the tokens",
    ):
        assert any(row.startswith(wanted) for row in names), (wanted, result.stdout)
