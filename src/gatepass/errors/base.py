"""The base of every gatepass error: a stable ``code`` and a message safe to show.

Part of ``gatepass.errors`` (its docstring draws the tree); import from there.
"""

from __future__ import annotations

__all__ = ["GatepassError"]


class GatepassError(Exception):
    """Base of every gatepass error. ``code`` is stable; ``message`` is safe to show."""

    code: str = "error"
    default_message: str = "gatepass error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"
