"""A clock the tests move by hand (``clock.now += grace + 1``) instead of sleeping."""

from __future__ import annotations

__all__ = ["T0", "Clock"]

#: A fixed "now" (2027-01-15), whole seconds as tokens carry.
T0 = 1_800_000_000.0


class Clock:
    """Seconds since the epoch: ``now`` until the test moves it."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
