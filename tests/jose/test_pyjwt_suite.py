"""PyJWT's own test_api_jwt.py and test_api_jws.py against gatepass.jose.jwt.

Every failure must be listed in pyjwt_suite/expected_failures.toml under the
refusal it falls under, with a message matching that refusal; a listed test
that starts passing fails this test too, so the table stays honest. The
counts per refusal are the ones docs/migrating-from-pyjwt.md gives.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

SUITE = Path(__file__).parent / "pyjwt_suite"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "migrating-from-pyjwt.md"


def _table() -> dict[str, dict[str, Any]]:
    refusals: dict[str, dict[str, Any]] = tomllib.loads(
        (SUITE / "expected_failures.toml").read_text()
    )["refusals"]
    return refusals


def _run_suite(report: Path) -> dict[str, str | None]:
    """Each test id: None when it passed or was skipped, else its failure message."""
    subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-c", str(SUITE / "pytest.ini")),
            *("--rootdir", str(SUITE), "-q", "-p", "no:cacheprovider"),
            *(f"--junitxml={report}", str(SUITE)),
        ],
        cwd=SUITE,
        capture_output=True,
        timeout=600,
        check=False,
    )
    outcomes: dict[str, str | None] = {}
    for case in ET.parse(report).iter("testcase"):
        failed = [c for c in case if c.tag in ("failure", "error")]
        test_id = f"{case.get('classname')}::{case.get('name')}"
        outcomes[test_id] = (failed[0].get("message") or "") if failed else None
    return outcomes


def test_pyjwt_suite_fails_only_for_listed_refusals(tmp_path: Path) -> None:
    outcomes = _run_suite(tmp_path / "junit.xml")
    assert len(outcomes) > 190, "PyJWT's suite did not run"
    refusals = _table()
    listed = {test: name for name, spec in refusals.items() for test in spec["tests"]}
    assert len(listed) == sum(len(spec["tests"]) for spec in refusals.values()), "listed twice"
    unlisted = sorted(
        t for t, message in outcomes.items() if message is not None and t not in listed
    )
    assert not unlisted, f"failing for a reason not in the table: {unlisted}"
    passing = sorted(t for t in listed if outcomes.get(t, "missing") is None)
    assert not passing, f"listed as refused but passing (update the table): {passing}"
    missing = sorted(t for t in listed if t not in outcomes)
    assert not missing, f"listed but no longer in PyJWT's suite: {missing}"
    wrong = sorted(
        t
        for t, name in listed.items()
        if not re.search(refusals[name]["match"], outcomes[t] or "", re.MULTILINE)
    )
    assert not wrong, f"failing, but not for the refusal listed: {wrong}"


def test_migration_guide_gives_the_counts_of_the_table() -> None:
    guide = GUIDE.read_text()
    refusals = _table()
    for name, spec in refusals.items():
        row = re.search(rf"^\|[^\n]*`{name}`[^\n]*\|\s*(\d+)\s*\|\s*$", guide, re.MULTILINE)
        assert row is not None, f"docs/migrating-from-pyjwt.md has no row for {name}"
        assert int(row.group(1)) == len(spec["tests"]), name
