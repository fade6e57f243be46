"""With verified addresses required, forgot and register tell nobody who has an account:
the same status, the same bytes, the same headers (but Date) and the same time for a
known and an unknown address; mail goes only where the design says.

The timing is a relative property of the design (the lookup and the mail happen
after the answer), not a speed target: requests for a known and an unknown address
alternate (K U U K …) and each known one is paired with the unknown one beside it;
the median of the pairs' time ratios must be within 20 % of 1. Pairing, rather
than comparing the two kinds' own medians, cancels the machine's bursts of load
(other processes on its two cores), which hit neighbouring requests alike and
make single medians jump by a third; the kinds' medians are printed too.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx

from tests.accounts.conftest import ACCEPTED, PASSWORD, Site, site_fixture
from tests.smtp import token_of

ROUNDS = {"forgot": 50, "register": 24}  # pairs of requests: forgot is cheap, register hashes
TOLERANCE = 1.2  # the median ratio of a pair's times at most 20 % away from 1


site = site_fixture(
    "enumeration",
    GATEPASS_REQUIRE_VERIFIED_EMAIL="true",
    # The timing loops would otherwise meet the per-client limits (not under test here).
    GATEPASS_MAIL_LIMIT_PER_IP="1000",
    GATEPASS_REGISTER_LIMIT_PER_IP="1000",
)


def _known(site: Site, email: str) -> None:
    """An account (verified) for ``email``."""
    reply = site.register(email)
    assert reply.status_code == 202, reply.text
    token = token_of(site.mail(email, "verify_email"))
    assert site.post("/auth/verify-email", {"token": token}).status_code == 200


def _same_answer(known: httpx.Response, unknown: httpx.Response) -> None:
    assert known.status_code == unknown.status_code
    assert known.content == unknown.content
    headers = [
        {(k, v) for k, v in r.headers.multi_items() if k != "date"} for r in (known, unknown)
    ]
    assert headers[0] == headers[1]


def _within(
    name: str, known: Callable[[], httpx.Response], unknown: Callable[[int], httpx.Response]
) -> None:
    """``ROUNDS[name]`` pairs, in the order K U U K K U U K …, so each kind follows each
    kind equally often (the deferred work of one request falls on both alike)."""
    pairs = ROUNDS[name]
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for index, kind in enumerate(["known", "unknown", "unknown", "known"] * (pairs // 2)):
        started = time.perf_counter()
        reply = known() if kind == "known" else unknown(index)
        times[kind].append(time.perf_counter() - started)
        assert reply.status_code == 202, reply.text
    ratio = statistics.median(k / u for k, u in zip(times["known"], times["unknown"], strict=True))
    medians = {kind: statistics.median(seconds) * 1000 for kind, seconds in times.items()}
    print(
        f"\n{name}: {pairs} pairs, median known {medians['known']:.2f} ms, "
        f"unknown {medians['unknown']:.2f} ms, median ratio known/unknown {ratio:.3f}"
    )
    assert 1 / TOLERANCE <= ratio <= TOLERANCE, (ratio, medians)


def test_forgot_answers_alike_and_mails_only_the_known_address(site: Site) -> None:
    known_address, unknown_address = "ada@example.com", "nobody@example.com"
    _known(site, known_address)
    unknown = site.post("/auth/password/forgot", {"email": unknown_address})
    known = site.post("/auth/password/forgot", {"email": known_address})
    assert (known.status_code, known.json()) == (202, ACCEPTED)
    _same_answer(known, unknown)
    site.mail(known_address, "reset_password")
    # The unknown address's request came first; its lookup is done once the known one's
    # mail is out: no mail to it, nothing queued for it.
    assert site.kinds_to(unknown_address) == []
    assert all(m["to"] != unknown_address for m in site.outbox())

    _within(
        "forgot",
        lambda: site.post("/auth/password/forgot", {"email": known_address}),
        lambda i: site.post("/auth/password/forgot", {"email": f"nobody{i}@example.com"}),
    )


def test_register_answers_alike_and_mails_the_owner_of_a_taken_address(site: Site) -> None:
    known_address = "barbara@example.com"
    _known(site, known_address)
    new = "newcomer@example.com"
    unknown = site.register(new)
    known = site.register(known_address, "another good password")
    assert known.status_code == 202, known.text
    _same_answer(known, unknown)
    site.mail(known_address, "registration_attempt")
    site.mail(new, "verify_email")  # the new address is an account now, to be verified
    assert site.kinds_to(known_address).count("verify_email") == 1  # the one of its own sign-up
    assert site.kinds_to(new) == ["verify_email"]
    assert site.login(known_address, "another good password").status_code == 401

    _within(
        "register",
        lambda: site.register(known_address),
        lambda i: site.register(f"newcomer{i}@example.com"),
    )


def test_login_before_verification(site: Site) -> None:
    email = "unverified@example.com"
    assert site.register(email).status_code == 202
    site.mail(email, "verify_email")  # the account exists once its link is mailed
    right = site.login(email, PASSWORD)
    assert right.status_code == 403, right.text
    assert right.json()["error"] == "email_not_verified"
    wrong = site.login(email, "not the password at all")
    assert wrong.status_code == 401, wrong.text
    assert wrong.json()["error"] == "invalid_credentials"
