"""``Outbox``: a mail sealed and queued in the store, to be sent by the worker.

The body of a queued mail holds a one-time token's link, and the store keeps
tokens only as hashes, so the body is sealed: AES-256-GCM under a key derived
(HKDF-SHA256) from the key-encryption key that seals the signing keys
(``gatepass.kek``), with the mail's id and recipient as associated data (a
sealed body cannot be moved to another row). The database alone holds no
usable link; once sent, the body is dropped (``OutboxStore.mark_mail_sent``).

A flow queues a mail and answers; the worker (``gatepass.mail.sender``) sends
it later::

    await outbox.enqueue(writer.reset_password(user.email, issued), now=now)
"""

from __future__ import annotations

import json

from gatepass.errors import ConfigError
from gatepass.mail.messages import MAIL_KINDS, Mail
from gatepass.store.outbox import OutboxEntry, OutboxStore
from gatepass.store.records import new_id
from gatepass.tokens.sealing import Sealer

__all__ = ["Outbox"]

_INFO = b"gatepass mail outbox v1"


class Outbox:
    """Queue mails in ``store``, sealed under ``key_encryption_key``."""

    def __init__(self, store: OutboxStore, key_encryption_key: str) -> None:
        self.store = store
        self._sealer = Sealer(key_encryption_key, _INFO)

    async def enqueue(self, mail: Mail, *, now: float) -> OutboxEntry:
        """Queue ``mail``, due at once; returns its row (the body sealed)."""
        entry_id = new_id()
        entry = OutboxEntry(
            id=entry_id,
            kind=mail.kind,
            recipient=mail.to,
            sealed=self._seal(mail, entry_id),
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        await self.store.enqueue_mail(entry)
        return entry

    def open(self, entry: OutboxEntry) -> Mail:
        """The mail a queued row holds; a row sealed under another key (or with no
        body) is a ``ConfigError``, which the worker records as the row's error."""
        if entry.sealed is None:
            raise ConfigError("the mail has no body (it was sent already)")
        try:
            plain = self._sealer.open(entry.sealed, _bound_to(entry.id, entry.recipient))
        except ConfigError:
            raise ConfigError("the mail was sealed under another key-encryption key") from None
        fields = json.loads(plain)
        if fields.get("kind") not in MAIL_KINDS:
            raise ConfigError("the mail's kind is unknown to this gatepass")
        return Mail(**fields)

    def _seal(self, mail: Mail, entry_id: str) -> bytes:
        fields = {
            "kind": mail.kind,
            "to": mail.to,
            "subject": mail.subject,
            "text": mail.text,
            "html": mail.html,
            "link": mail.link,
        }
        plain = json.dumps(fields, separators=(",", ":")).encode("utf-8")
        return self._sealer.seal(plain, _bound_to(entry_id, mail.to))


def _bound_to(entry_id: str, recipient: str) -> bytes:
    return f"{entry_id}\x00{recipient}".encode()
