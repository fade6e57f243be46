"""``MailWorker``: drains the outbox through a transport, outside any request.

One pass (``drain``) claims the mails due now (with a lease, so a worker that
dies mid-send leaves them to the next), sends each, and records the result:

- delivered: the row is marked sent (its sealed body dropped);
- a temporary failure (SMTP down, a timeout, TLS refused): the row waits until
  ``Backoff.retry_at`` (30 s, then doubling, at most an hour apart), with the
  error kept for ``gatepass mail list``; the rest of the batch waits with it
  rather than each timing out against the same dead server;
- a permanent one (the recipient or the message refused, a body this server
  cannot open) or too many attempts: the row is ``failed``, until an operator
  runs ``gatepass mail retry``.

``run`` repeats passes until ``stop()`` (or cancelled): after each it waits
``idle`` seconds or until ``wake()`` (a flow that just queued a mail calls it). The clock is
injected, so tests drive ``drain`` without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from gatepass.errors import ConfigError, ServiceUnavailableError
from gatepass.mail.outbox import Outbox
from gatepass.mail.transport import DeliveryError, Transport
from gatepass.store.outbox import OutboxEntry

__all__ = ["Backoff", "DrainReport", "MailWorker"]

log = logging.getLogger("gatepass.mail")


@dataclass(frozen=True, slots=True)
class Backoff:
    """When a failed mail is tried again: ``first`` seconds after the first attempt,
    ``factor`` times longer after each next one, never more than ``cap`` apart;
    after ``max_attempts`` (about two days at the defaults) it is failed for good."""

    first: float = 30.0
    factor: float = 2.0
    cap: float = 3600.0
    max_attempts: int = 50

    def retry_at(self, attempts: int, now: float) -> float | None:
        """The next attempt after the ``attempts``-th failed one, or None: give up."""
        if attempts >= self.max_attempts:
            return None
        exponent = max(0, attempts - 1)
        delay = self.cap if exponent > 64 else min(self.cap, self.first * self.factor**exponent)
        return now + delay


@dataclass(frozen=True, slots=True)
class DrainReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


class MailWorker:
    def __init__(
        self,
        outbox: Outbox,
        transport: Transport,
        *,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
        lease: float = 300.0,
        batch: int = 20,
        idle: float = 5.0,
    ) -> None:
        self.outbox = outbox
        self.transport = transport
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.lease = lease
        self.batch = batch
        self.idle = idle
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Start the next pass now (a mail was just queued)."""
        self._wake.set()

    async def drain(self) -> DrainReport:
        """Send what is due now, batch after batch, until nothing is due."""
        counts = {"sent": 0, "deferred": 0, "failed": 0}
        while True:
            store = self.outbox.store
            claimed = await store.claim_mail(now=self.clock(), lease=self.lease, limit=self.batch)
            for index, entry in enumerate(claimed):
                error = await self._attempt(entry)
                outcome = "sent" if error is None else await self._record(entry, error)
                counts[outcome] += 1
                if error is not None and not error.permanent:
                    # The server is unreachable: the rest of the batch waits with this one.
                    for rest in claimed[index + 1 :]:
                        counts[await self._record(rest, error)] += 1
                    return DrainReport(**counts)
            if len(claimed) < self.batch:
                return DrainReport(**counts)

    async def _attempt(self, entry: OutboxEntry) -> DeliveryError | None:
        """Send one claimed mail; None when delivered (and marked sent)."""
        try:
            mail = self.outbox.open(entry)
            await self.transport.send(mail, now=self.clock())
        except ConfigError as error:  # a body this server cannot open
            return DeliveryError(error.message, permanent=True)
        except DeliveryError as error:
            return error
        await self.outbox.store.mark_mail_sent(entry.id, now=self.clock())
        return None

    async def _record(self, entry: OutboxEntry, error: DeliveryError) -> str:
        """Record a failed attempt: ``deferred`` (retried later) or ``failed`` (for good)."""
        retry_at = None if error.permanent else self.backoff.retry_at(entry.attempts, self.clock())
        await self.outbox.store.mark_mail_failed(entry.id, error=error.message, retry_at=retry_at)
        if retry_at is None:
            log.warning("mail %s (%s) failed for good: %s", entry.id, entry.kind, error.message)
            return "failed"
        log.info("mail %s (%s) deferred: %s", entry.id, entry.kind, error.message)
        return "deferred"

    async def run(self) -> None:
        """Drain until ``stop()`` or cancelled; a database outage is logged and waited out."""
        while True:
            self._wake.clear()
            try:
                await self.drain()
            except ServiceUnavailableError as error:
                log.warning("mail outbox unavailable, retrying: %s", error.message)
            _raise_if_cancelled()
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.idle):
                    await self._wake.wait()

    def stop(self) -> None:
        """End ``run`` after the pass under way (no mail is left half sent)."""
        self._stopping = True
        self._wake.set()


def _raise_if_cancelled() -> None:
    """Python 3.11's ``asyncio.wait_for`` (inside aiosmtplib) can swallow a
    cancellation that lands as a reply arrives; the task still knows it was
    cancelled, so the worker honours it here instead of idling on."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
