"""The mail tests' clock and outbox; the SMTP server is ``tests.smtp.SmtpSink``
(the ``smtp_sink`` fixture: aiosmtpd on loopback, stoppable and restartable)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gatepass.mail.outbox import Outbox
from gatepass.store import MemoryStore

NOW = 1_700_000_000.0
KEK = "k" * 43


@dataclass
class Clock:
    now: float = NOW

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox(MemoryStore(), KEK)
