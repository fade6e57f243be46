"""The JavaScript client's own tests (node's test runner), run as part of pytest.

``node --test tests/web/`` runs ``*.test.mjs`` against a fake fetch. Without
node the test skips, except under ``CI=true`` where a missing node fails the
run (``scripts/test`` installs Debian's nodejs when it is missing).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.services import missing

ROOT = Path(__file__).resolve().parents[2]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        missing("node is not installed")
    return node


def test_gatepass_client_js() -> None:
    result = subprocess.run(
        [_node(), "--test", "tests/web/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The runner's summary: every test ran and passed (a glob that matched
    # nothing would also exit 0).
    assert "# fail 0" in output, output
    passed = [line for line in output.splitlines() if line.startswith("# pass ")]
    assert passed, output
    assert int(passed[-1].removeprefix("# pass ")) >= 27, output
