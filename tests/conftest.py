"""Shared test configuration: where the public test vectors live.

The vectors are data shared by every checkout (``../shared/vectors`` next to
the repository). A missing directory is an error, never a silent skip: a suite
that quietly runs without its vectors proves nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest

VECTORS: Final[Path] = Path(__file__).resolve().parents[2] / "shared" / "vectors"

if not (VECTORS / "wycheproof").is_dir() or not (VECTORS / "jose-cookbook").is_dir():
    raise RuntimeError(
        f"Test vectors not found at {VECTORS}: check out the shared vectors next to the repository"
    )


@pytest.fixture(scope="session")
def vectors() -> Path:
    """The directory holding the public test vectors (wycheproof/, jose-cookbook/)."""
    return VECTORS
