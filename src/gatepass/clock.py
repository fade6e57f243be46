"""The clock: seconds since the epoch, read in one place.

Whatever needs "now" takes a ``Clock``: the running server holds one
(``ServerState.clock``) and hands it to every flow, the store calls and its
background tasks; the CLI reads ``gatepass.cli.runtime.clock``. Tests pass a
clock they move by hand instead of sleeping. ``system_clock`` is the default.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

__all__ = ["Clock", "system_clock"]

Clock = Callable[[], float]
system_clock: Final[Clock] = time.time
