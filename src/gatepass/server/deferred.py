"""``Deferred``: work a request starts and does not wait for.

A route hands an awaitable to ``later`` and answers at once; the work runs as
a task of its own. ``POST /auth/password/forgot`` does this so that it answers
in the same time whether or not the address has an account (looking the user
up, minting a token and queueing the mail happen after the answer).

Tasks are kept (asyncio holds only weak references to them), a failure is
logged with its traceback (the request that started it has answered already),
and ``close`` at shutdown waits for the ones under way, at most ``timeout``
seconds, then cancels the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["Deferred"]

log = logging.getLogger("gatepass.server")


class Deferred:
    def __init__(self, *, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def later(self, work: Coroutine[Any, Any, object], *, name: str = "deferred") -> None:
        """Run ``work`` as a background task; ``name`` appears in the log if it fails."""
        if self._closed:
            work.close()  # never awaited: say so without a RuntimeWarning
            log.warning("%s not run: the server is shutting down", name)
            return
        task = asyncio.get_running_loop().create_task(self._run(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __len__(self) -> int:
        """How many tasks are under way."""
        return len(self._tasks)

    async def join(self) -> None:
        """Wait until every task started so far has ended (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """Refuse new work, wait for the tasks under way (``timeout``), cancel the rest."""
        self._closed = True
        try:
            async with asyncio.timeout(self.timeout):
                await self.join()
        except TimeoutError:
            pending = set(self._tasks)
            log.warning("cancelling %d deferred task(s) still running at shutdown", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    @staticmethod
    async def _run(work: Coroutine[Any, Any, object], name: str) -> None:
        try:
            await work
        except Exception:
            log.exception("%s failed", name)
