"""SMTP down: the request answers as always, the mail waits in the outbox (pending, with
its error, in ``gatepass mail list``) and is delivered once the SMTP server is back.

The worker's backoff after a failed attempt is 30 s, then longer
(``gatepass.mail.sender.Backoff``), and no setting shortens it; the test does
what an operator would: ``gatepass mail retry --all`` once the server is back,
then waits (bounded) for the worker's next pass, at most ``MailWorker.idle``
(5 s) later.
"""

from __future__ import annotations

from typing import Any

from tests.accounts.conftest import ACCEPTED, NEW_PASSWORD, Site, site_fixture
from tests.serving import wait_until
from tests.smtp import token_of

EMAIL = "ada@example.com"


site = site_fixture("outage")


def _resets(site: Site) -> list[dict[str, Any]]:
    return [m for m in site.outbox() if m["kind"] == "reset_password" and m["to"] == EMAIL]


def test_a_mail_queued_during_an_smtp_outage_is_delivered_when_it_is_back(site: Site) -> None:
    assert site.register(EMAIL).status_code == 201
    site.mail(EMAIL, "verify_email")
    site.sink.stop()

    forgot = site.post("/auth/password/forgot", {"email": EMAIL})
    assert (forgot.status_code, forgot.json()) == (202, ACCEPTED)
    wait_until(
        lambda: any(m["attempts"] >= 1 for m in _resets(site)),
        "a failed attempt recorded in the outbox",
        timeout=20,
        every=0.3,
    )
    (waiting,) = _resets(site)
    assert waiting["status"] == "pending"
    assert waiting["last_error"]
    assert waiting["next_attempt_at"] is not None
    assert not [m for m in site.sink.messages if "Reset your" in str(m["Subject"])]

    site.sink.start()  # the same port
    retried = site.gatepass("mail", "retry", "--all")
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert retried.stdout.strip() == "1 mail queued again"
    token = token_of(site.mail(EMAIL, "reset_password", timeout=15))
    (sent,) = _resets(site)
    assert sent["status"] == "sent"
    assert sent["attempts"] >= 2

    # The link it carried still works: the mail was late, not lost.
    reset = site.post("/auth/password/reset", {"token": token, "password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text
    assert site.login(EMAIL, NEW_PASSWORD).status_code == 200
