"""Where the JWE test vectors live, and the helpers every JWE test reads them with.

The vectors are data on disk (``../shared/vectors`` next to the repository). A
missing directory fails the run at collection: a suite that quietly runs without
its vectors proves nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

# tests/jose/jwe/conftest.py -> parents[3] is the repository, parents[4] holds shared/.
VECTORS: Final[Path] = Path(__file__).resolve().parents[4] / "shared" / "vectors"

if (
    not (VECTORS / "wycheproof" / "json_web_encryption_test.json").is_file()
    or not (VECTORS / "jose-cookbook" / "jwe").is_dir()
):
    raise RuntimeError(f"JWE test vectors not found under {VECTORS}")


def load_json(relative: str) -> Any:
    """One vector file, parsed."""
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))
