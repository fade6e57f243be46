"""Shared test configuration: where the public test vectors live.

The vectors are data shared by every checkout (``../shared/vectors`` next to
the repository). A missing directory is an error, never a silent skip: a suite
that quietly runs without its vectors proves nothing.

Every test runs in its own empty working directory: ``Settings()`` names
``./gatepass.db``, so a server started on any store with the default settings
keeps its key file (``./gatepass.db.kek``, see ``gatepass.kek``) there, never
in the checkout and never shared between tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

# The SMTP sink fixture (``smtp_sink``) for every test that sends mail.
pytest_plugins = ("tests.smtp",)

VECTORS: Final[Path] = Path(__file__).resolve().parents[2] / "shared" / "vectors"

if not (VECTORS / "wycheproof").is_dir() or not (VECTORS / "jose-cookbook").is_dir():
    raise RuntimeError(
        f"Test vectors not found at {VECTORS}: check out the shared vectors next to the repository"
    )


@pytest.fixture(scope="session")
def vectors() -> Path:
    """The directory holding the public test vectors (wycheproof/, jose-cookbook/)."""
    return VECTORS


@pytest.fixture(autouse=True)
def own_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The umask most systems ship (new files 0644 unless the code says otherwise)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
