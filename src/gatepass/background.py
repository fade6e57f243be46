"""Background loops of the running server: run a step every few seconds, forever.

A failing step never ends its loop and never floods the log: the first
failure is one warning, the recovery one info line, and the failures in
between are silent (debug). ``Outage`` is that once-per-outage logger, also
used by the Redis listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

__all__ = ["Outage", "Periodic"]

log = logging.getLogger("gatepass.server")


class Outage:
    """Logs the start and the end of an outage of ``what``, once each."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.down = False

    def failed(self, error: BaseException) -> None:
        if self.down:
            log.debug("%s still unavailable: %s", self.what, type(error).__name__)
            return
        self.down = True
        log.warning("%s unavailable (%s); retrying in the background", self.what, _name(error))

    def ok(self) -> None:
        if self.down:
            self.down = False
            log.info("%s available again", self.what)


def _name(error: BaseException) -> str:
    # The exception's type only: messages may carry URLs with passwords.
    return type(error).__name__


class Periodic:
    """Call ``step()`` every ``interval`` seconds in a task until ``stop()``."""

    def __init__(self, name: str, interval: float, step: Callable[[], Awaitable[object]]) -> None:
        self._name = name
        self._interval = interval
        self._step = step
        self._outage = Outage(name)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"gatepass {self._name}")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._step()
            except Exception as error:  # one bad step must not end the loop
                self._outage.failed(error)
            else:
                self._outage.ok()
