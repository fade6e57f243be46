"""Size caps for untrusted tokens (the CVE-2025-61920 class: unbounded segments)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps, in bytes, checked before any decoding work is done.

    ``max_token_bytes`` bounds the whole compact token; ``max_header_bytes`` and
    ``max_payload_bytes`` bound the decoded header and payload.
    """

    max_token_bytes: int = 8192
    max_header_bytes: int = 1024
    max_payload_bytes: int = 6144

    def __post_init__(self) -> None:
        for name in ("max_token_bytes", "max_header_bytes", "max_payload_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 64:
                raise ValueError(f"Limits.{name} must be an integer of at least 64")


DEFAULT_LIMITS: Final = Limits()
