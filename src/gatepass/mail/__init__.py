"""Mail: configuration, the messages gatepass sends, the durable outbox, the sender.

- ``config``: ``MailConfig.from_values`` reads ``GATEPASS_SMTP_URL``,
  ``GATEPASS_MAIL_FROM``, ``GATEPASS_APP_URL`` and ``GATEPASS_MAIL``;
- ``messages``: each mail (subject, text and HTML parts, its link);
- ``outbox``: ``Outbox`` seals a mail and queues it in the store;
- ``sender``: ``MailWorker`` drains the outbox through SMTP (``aiosmtplib``)
  or, with no SMTP configured, into the log.

Importing this package imports none of them (the sender pulls in aiosmtplib).
"""
