"""``Mailer``: how the server's flows send mail, and the worker that sends it.

``state.mailer.send(mail, now=...)`` queues the mail in the outbox (sealed, see
``gatepass.mail.outbox``) and wakes the worker; the request does not wait for
SMTP. ``state.mailer.writer`` writes the mails, with links under
``Settings.mail_config.app_url`` (the console's pages unless
``GATEPASS_APP_URL``). With ``GATEPASS_MAIL=off`` a mail is dropped (one debug
line), nothing is queued and no worker runs.

The worker (``gatepass.mail.sender.MailWorker``) runs as a task for the
server's life (``start`` / ``stop``), on the server's clock, sending through
SMTP or, without ``GATEPASS_SMTP_URL``, into the log (a warning at start says
so). Every process of ``--workers N`` runs one: claims are leased, so no mail
is sent twice at once.

The outbox is sealed under the key-encryption key the signing keys use; with
``GATEPASS_JWT_SECRET`` (no stored signing keys) and no key-encryption key
configured, under a key derived from the JWT secret, which every server shares too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from gatepass.clock import Clock, system_clock
from gatepass.errors import ConfigError
from gatepass.mail.config import MailConfig
from gatepass.mail.messages import Mail, MailWriter
from gatepass.mail.outbox import Outbox
from gatepass.mail.sender import MailWorker
from gatepass.mail.transport import transport_for
from gatepass.server.keys import SigningKeys
from gatepass.settings import Settings
from gatepass.store.outbox import OutboxStore

__all__ = ["Mailer", "check_mail_for_production", "outbox_key"]

log = logging.getLogger("gatepass.mail")
STOP_TIMEOUT_S = 10.0


def check_mail_for_production(settings: Settings) -> None:
    """Production sends real mail or says ``GATEPASS_MAIL=off`` (``ConfigError`` otherwise)."""
    if settings.is_production:
        settings.mail_config.check_production()


def outbox_key(settings: Settings, keys: SigningKeys) -> str:
    """What the outbox is sealed under (``keys`` loaded): the signing keys' KEK."""
    if keys.key_encryption_key is not None:
        return keys.key_encryption_key
    if settings.key_encryption_key is not None:
        return settings.key_encryption_key.get()
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get()
    raise ConfigError("no key-encryption key to seal the mail outbox with")  # pragma: no cover


class Mailer:
    """Queues mails for the worker; ``writer`` writes them."""

    def __init__(self, config: MailConfig, outbox: Outbox, *, clock: Clock = system_clock) -> None:
        self.config = config
        self.writer = MailWriter.for_config(config)
        self.outbox = outbox
        self.worker: MailWorker | None = None
        if config.mode != "off":
            self.worker = MailWorker(outbox, transport_for(config), clock=clock)
        self.stop_timeout = STOP_TIMEOUT_S
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_server(
        cls, settings: Settings, store: OutboxStore, key: str, *, clock: Clock = system_clock
    ) -> Mailer:
        """The server's mailer (not started); warns when its links lead nowhere."""
        config = settings.mail_config
        if config.mode != "off" and not settings.console and settings.app_url is None:
            log.warning(
                "GATEPASS_CONSOLE is off and GATEPASS_APP_URL is not set: the links in mails "
                "point at console pages this server does not serve"
            )
        return cls(config, Outbox(store, key), clock=clock)

    async def send(self, mail: Mail, *, now: float) -> None:
        """Queue ``mail`` and wake the worker (``GATEPASS_MAIL=off``: drop it)."""
        if self.worker is None:
            log.debug("GATEPASS_MAIL=off: %s mail not queued", mail.kind)
            return
        await self.outbox.enqueue(mail, now=now)
        self.worker.wake()

    def start(self) -> None:
        """Run the worker as a task until ``stop`` (nothing to run with mail off)."""
        if self.worker is None or self._task is not None:
            return
        self._task = asyncio.get_running_loop().create_task(
            self.worker.run(), name="gatepass mail worker"
        )
        self._task.add_done_callback(_log_crash)

    async def stop(self) -> None:
        """End the worker after the pass under way; cancel it after ``stop_timeout`` seconds."""
        task, self._task = self._task, None
        if task is None or self.worker is None:
            return
        self.worker.stop()
        done, _ = await asyncio.wait({task}, timeout=self.stop_timeout)
        if not done:
            log.warning("the mail worker did not stop within %.0f s: cancelled", self.stop_timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the mail worker stopped: no more mail is sent", exc_info=task.exception())
