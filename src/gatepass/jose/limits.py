"""Size caps for untrusted tokens (the CVE-2025-61920 class: unbounded segments)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps, in bytes, checked before any decoding work is done.

    ``max_token_bytes`` bounds the whole compact token; ``max_header_bytes`` and
    ``max_payload_bytes`` bound the decoded header and payload. The defaults fit
    together: a 1 KiB header, a 5 KiB payload and an RSA-4096 signature make a
    token of about 8 KiB.
    """

    max_token_bytes: int = 8192
    max_header_bytes: int = 1024
    max_payload_bytes: int = 5120

    def __post_init__(self) -> None:
        for name in ("max_token_bytes", "max_header_bytes", "max_payload_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 64:
                raise ValueError(f"Limits.{name} must be an integer of at least 64")
        if self.max_header_bytes > self.max_token_bytes:
            raise ValueError("Limits.max_header_bytes cannot exceed max_token_bytes")
        if self.max_payload_bytes > self.max_token_bytes:
            raise ValueError("Limits.max_payload_bytes cannot exceed max_token_bytes")


DEFAULT_LIMITS: Final = Limits()
