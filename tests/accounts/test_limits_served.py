"""The mail limits from outside: per address (quiet: the 202 of every address, no more
mail) and per client (429 with Retry-After). The clients are told apart by
``X-Forwarded-For``, which this server believes from 127.0.0.1 only because
``GATEPASS_TRUSTED_PROXIES`` names it (``gatepass.server.proxy``)."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import ACCEPTED, Site, site_fixture

PER_ADDRESS = 3
PER_IP = 4


site = site_fixture(
    "limits",
    GATEPASS_TRUSTED_PROXIES="127.0.0.1",
    GATEPASS_MAIL_LIMIT_PER_ADDRESS=str(PER_ADDRESS),
    GATEPASS_MAIL_LIMIT_PER_IP=str(PER_IP),
)


def _forgot(site: Site, email: str, client_ip: str) -> httpx.Response:
    return site.client.post(
        "/auth/password/forgot", json={"email": email}, headers={"X-Forwarded-For": client_ip}
    )


def test_an_address_gets_its_share_of_mail_whoever_asks(site: Site) -> None:
    email, other = "ada@example.com", "barbara@example.com"
    for address in (email, other):
        assert site.register(address).status_code == 201
        site.mail(address, "verify_email")  # one of the address's share
    answers = [_forgot(site, email, f"203.0.113.{n}") for n in range(1, PER_ADDRESS + 3)]
    assert {(a.status_code, a.content) for a in answers} == {(202, answers[0].content)}
    assert answers[0].json() == ACCEPTED

    for _ in range(PER_ADDRESS - 1):  # the verification mail took the first of the share
        site.mail(email, "reset_password")
    # The requests' deferred work runs in their order: once a later request's mail is
    # out, every earlier one has mailed or not. No more mail for the address, none queued.
    assert _forgot(site, other, "203.0.113.200").status_code == 202
    site.mail(other, "reset_password")
    assert site.kinds_to(email).count("reset_password") == PER_ADDRESS - 1
    resets = [m for m in site.outbox() if m["kind"] == "reset_password" and m["to"] == email]
    assert len(resets) == PER_ADDRESS - 1
    assert "Traceback" not in site.served.log()


def test_a_client_over_its_limit_is_told_when_to_come_back(site: Site) -> None:
    client_ip = "198.51.100.7"
    for n in range(PER_IP):
        assert _forgot(site, f"someone{n}@example.com", client_ip).status_code == 202
    refused = _forgot(site, "someone@example.com", client_ip)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    # Another client is not slowed down by this one.
    assert _forgot(site, "someone@example.com", "198.51.100.8").status_code == 202
