"""The mailed one-time tokens from outside: every refused one gets the same 400, and
no token or link is ever in the database's files.

Expiry is not tried here: no setting shortens a link's life (30 minutes to 24
hours, ``gatepass.tokens.onetime``), so it is tested on the injected clock in
``tests/flows`` (test_verification, test_password_reset, test_email_change).
"""

from __future__ import annotations

import httpx

from tests.accounts.conftest import INVALID_TOKEN, NEW_PASSWORD, PASSWORD, Site, site_fixture
from tests.smtp import token_links, token_of

site = site_fixture("tokens")


def _refused(reply: httpx.Response) -> bytes:
    assert reply.status_code == 400, reply.text
    assert reply.json() == INVALID_TOKEN
    return reply.content


def _verify_token(site: Site, email: str) -> str:
    assert site.register(email).status_code == 201
    return token_of(site.mail(email, "verify_email"))


def _reset_token(site: Site, email: str) -> str:
    assert site.post("/auth/password/forgot", {"email": email}).status_code == 202
    return token_of(site.mail(email, "reset_password"))


def test_every_refused_token_gets_one_identical_answer(site: Site) -> None:
    bodies: set[bytes] = set()

    # Used twice.
    verify = _verify_token(site, "ada@example.com")
    assert site.post("/auth/verify-email", {"token": verify}).status_code == 200
    bodies.add(_refused(site.post("/auth/verify-email", {"token": verify})))
    reset = _reset_token(site, "ada@example.com")
    assert site.post("/auth/password/reset", {"token": reset, "password": NEW_PASSWORD}).is_success
    bodies.add(_refused(site.post("/auth/password/reset", {"token": reset, "password": PASSWORD})))

    # For another purpose: a verification link at the reset and at the address change.
    verify = _verify_token(site, "barbara@example.com")
    wrong_use = {"token": verify, "password": NEW_PASSWORD}
    bodies.add(_refused(site.post("/auth/password/reset", wrong_use)))
    bodies.add(_refused(site.post("/auth/email/confirm", {"token": verify})))
    reset = _reset_token(site, "barbara@example.com")
    bodies.add(_refused(site.post("/auth/verify-email", {"token": reset})))
    assert site.login("barbara@example.com").status_code == 200  # the password stayed

    # For another user: the link of a deleted account, its address registered again.
    email = "cecile@example.com"
    old_link = _verify_token(site, email)
    access = site.tokens(email)["access_token"]
    deleted = site.client.request(
        "DELETE",
        "/auth/me",
        json={"password": PASSWORD},
        headers={"Authorization": f"Bearer {access}"},
    )
    assert deleted.status_code == 204
    new_link = _verify_token(site, email)
    bodies.add(_refused(site.post("/auth/verify-email", {"token": old_link})))
    assert site.post("/auth/verify-email", {"token": new_link}).status_code == 200

    # After a password change: the reset and the verification links sent before it.
    email = "dora@example.com"
    verify = _verify_token(site, email)
    reset = _reset_token(site, email)
    access = site.tokens(email)["access_token"]
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert site.post("/auth/password/change", change, access).status_code == 204
    bodies.add(_refused(site.post("/auth/password/reset", {"token": reset, "password": PASSWORD})))
    bodies.add(_refused(site.post("/auth/verify-email", {"token": verify})))
    assert site.login(email, NEW_PASSWORD).status_code == 200

    # Never minted: right length and alphabet, and not.
    bodies.add(_refused(site.post("/auth/verify-email", {"token": "A" * 43})))
    bodies.add(_refused(site.post("/auth/email/confirm", {"token": "not a token"})))

    assert len(bodies) == 1, bodies


def test_no_token_nor_link_is_in_the_database_files(site: Site) -> None:
    """Every token this server ever mailed (spent, refused and live ones), and the links
    holding them, are nowhere in the bytes of the SQLite database, its WAL or journal."""
    _verify_token(site, "edith@example.com")
    _reset_token(site, "edith@example.com")
    access = site.tokens("edith@example.com")["access_token"]
    moved = {"new_email": "edith@example.org", "password": PASSWORD}
    assert site.post("/auth/email/change", moved, access).status_code == 202
    site.mail("edith@example.org", "email_change_confirm")

    mailed = [m for m in site.sink.messages if token_links(m)]
    secrets = {token_of(m).encode() for m in mailed}
    secrets |= {link.encode() for m in mailed for link in token_links(m)}
    assert len(mailed) >= 3
    files = sorted(site.db.parent.glob(site.db.name + "*"))
    assert site.db in files
    for path in files:
        content = path.read_bytes()
        found = [s for s in secrets if s in content]
        assert not found, f"{path.name} holds {len(found)} mailed token(s) or link(s) in clear"
