"""A private event loop on its own thread, for synchronous callers (Flask, any WSGI app).

The Authenticator's async parts (the JWKS client, the revocation sync, the
cache) belong to one event loop. A WSGI server calls views from many threads
and has no loop, so the Flask adapter submits each authentication to this
loop with ``asyncio.run_coroutine_threadsafe`` and waits for the result. All
shared state is then touched by the loop's one thread only: request threads
never race on the cache, the JWKS client or the revocation list, and a JWKS
fetch started for one request is awaited by every other request that needs it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from gatepass.errors import ServiceUnavailableError

__all__ = ["LoopThread", "run_on"]

T = TypeVar("T")


def run_on(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
    """Run ``coroutine`` on ``loop`` (another thread's) and wait (ServiceUnavailable on timeout)."""
    future = asyncio.run_coroutine_threadsafe(coroutine, loop)
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise ServiceUnavailableError() from None


class LoopThread:
    """One daemon thread running one event loop until ``stop``."""

    def __init__(self, name: str = "gatepass-protect") -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("The gatepass event loop thread did not start")

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        try:
            self.loop.run_forever()
        finally:
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coroutine`` on the loop and wait for its result (ServiceUnavailable on timeout)."""
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("LoopThread.run called from its own loop")
        return run_on(self.loop, coroutine, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)
