"""``Sealer``: what is sealed opens with the same key, info and row, and nowhere else."""

from __future__ import annotations

import pytest

from gatepass.errors import ConfigError
from gatepass.tokens.sealing import Sealer

KEK = "k" * 43


def test_a_sealed_value_opens_with_its_key_and_row_only() -> None:
    sealer = Sealer(KEK, b"test v1")
    sealed = sealer.seal(b"secret", b"row-1")
    assert b"secret" not in sealed
    assert sealer.seal(b"secret", b"row-1") != sealed  # a fresh nonce each time
    assert sealer.open(sealed, b"row-1") == b"secret"
    for other, row in [
        (sealer, b"row-2"),
        (Sealer("o" * 43, b"test v1"), b"row-1"),
        (Sealer(KEK, b"another use v1"), b"row-1"),
    ]:
        with pytest.raises(ConfigError):
            other.open(sealed, row)
    with pytest.raises(ConfigError):
        sealer.open(b"short", b"row-1")
