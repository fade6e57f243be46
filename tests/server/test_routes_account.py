"""The account routes over HTTP, in process: bodies, statuses, CSRF, what each ends.

The server's mailer is swapped for the flows' ``RecordingMailer`` so each test
reads the links it would have mailed; the flows' own rules are tested in
tests/flows, the served, mailed end-to-end runs in tests/accounts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gatepass.jose import decode_unverified
from gatepass.settings import Settings
from tests.flows.conftest import RecordingMailer
from tests.server.conftest import PASSWORD, Server, start

EMAIL, NEW = "ada@example.com", "a brand new passphrase"
INVALID = {"error": "invalid_token", "message": "Invalid or expired token"}


@dataclasses.dataclass
class Mailing:
    server: Server
    mailer: RecordingMailer

    @property
    def client(self) -> Any:
        return self.server.client

    async def deferred(self) -> None:
        """Wait for the work the 202 routes left for after their answer."""
        await self.server.app.state.gatepass.deferred.join()


async def _mailing(settings: Settings) -> AsyncIterator[Mailing]:
    async for server in start(settings):
        mailer = RecordingMailer()
        state = server.app.state.gatepass
        server.app.state.gatepass = dataclasses.replace(state, mailer=mailer)
        yield Mailing(server, mailer)


@pytest.fixture
async def mailing() -> AsyncIterator[Mailing]:
    async for running in _mailing(Settings(refresh_grace=10)):
        yield running


@pytest.fixture
async def strict() -> AsyncIterator[Mailing]:
    """A server that requires verified addresses."""
    async for running in _mailing(Settings(require_verified_email=True)):
        yield running


async def _login(m: Mailing, email: str = EMAIL, password: str = PASSWORD) -> Any:
    return await m.client.post("/auth/login", json={"email": email, "password": password})


async def _bearer(m: Mailing) -> dict[str, str]:
    reply = await _login(m)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


async def test_register_mails_a_link_that_verifies_once(mailing: Mailing) -> None:
    reply = await mailing.client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
    assert reply.status_code == 201
    assert mailing.mailer.kinds() == [("verify_email", EMAIL)]
    headers = await _bearer(mailing)
    me = (await mailing.client.get("/auth/me", headers=headers)).json()
    assert me["user"]["email_verified"] is False
    token = mailing.mailer.token("verify_email")
    done = await mailing.client.post("/auth/verify-email", json={"token": token})
    assert (done.status_code, done.json()) == (200, {"email": EMAIL, "email_verified": True})
    again = await mailing.client.post("/auth/verify-email", json={"token": token})
    assert (again.status_code, again.json()) == (400, INVALID)
    assert "www-authenticate" not in again.headers
    access = (await _login(mailing)).json()["access_token"]
    assert decode_unverified(access)[1]["email_verified"] is True


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../../etc", "\u0000" * 43, "é" * 500])
async def test_a_made_up_token_is_one_answer_never_echoed(mailing: Mailing, token: str) -> None:
    for path in ("/auth/verify-email", "/auth/email/confirm"):
        reply = await mailing.client.post(path, json={"token": token})
        assert (reply.status_code, reply.json()) == (400, INVALID)
    reset = await mailing.client.post(
        "/auth/password/reset", json={"token": token, "password": NEW}
    )
    assert (reset.status_code, reset.json()) == (400, INVALID)


async def test_verification_request_with_a_token_or_an_address(mailing: Mailing) -> None:
    await mailing.server.register_and_login()
    mailing.mailer.sent.clear()
    anonymous = await mailing.client.post("/auth/verify-email/request", json={"email": EMAIL})
    unknown = await mailing.client.post(
        "/auth/verify-email/request", json={"email": "who@example.com"}
    )
    assert (anonymous.status_code, anonymous.content) == (unknown.status_code, unknown.content)
    assert anonymous.status_code == 202
    await mailing.deferred()
    assert mailing.mailer.kinds() == [("verify_email", EMAIL)]
    signed_in = await mailing.client.post(
        "/auth/verify-email/request", json={}, headers=await _bearer(mailing)
    )
    assert signed_in.status_code == 202
    assert len(mailing.mailer.sent) == 2
    nobody = await mailing.client.post("/auth/verify-email/request", json={})
    assert (nobody.status_code, nobody.json()["error"]) == (401, "missing_token")


async def test_forgot_and_reset_end_every_session_and_sign_nobody_in(mailing: Mailing) -> None:
    tokens = await mailing.server.register_and_login()
    old = {"Authorization": f"Bearer {tokens['access_token']}"}
    forgot = await mailing.client.post("/auth/password/forgot", json={"email": EMAIL})
    assert (forgot.status_code, forgot.headers["cache-control"]) == (202, "no-store")
    await mailing.deferred()
    token = mailing.mailer.token("reset_password")
    weak = await mailing.client.post(
        "/auth/password/reset", json={"token": token, "password": "password"}
    )
    assert (weak.status_code, weak.json()["error"]) == (422, "weak_password")
    reset = await mailing.client.post(
        "/auth/password/reset", json={"token": token, "password": NEW}
    )
    assert (reset.status_code, reset.content) == (204, b"")
    assert "set-cookie" not in reset.headers  # nobody is signed in by a reset
    assert (await mailing.client.get("/dashboard", headers=old)).status_code == 401
    refreshed = await mailing.client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert (await _login(mailing)).status_code == 401
    fresh = await _login(mailing, password=NEW)
    assert fresh.status_code == 200
    new = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert (await mailing.client.get("/dashboard", headers=new)).status_code == 200
    assert mailing.mailer.kinds()[-1] == ("password_changed", EMAIL)


async def test_password_change_in_cookie_mode_needs_csrf_and_keeps_the_session(
    mailing: Mailing,
) -> None:
    await mailing.client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
    other = await _bearer(mailing)
    login = await mailing.client.post(
        "/auth/login", json={"email": EMAIL, "password": PASSWORD, "cookies": True}
    )
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    body = {"current_password": PASSWORD, "new_password": NEW}
    forged = await mailing.client.post("/auth/password/change", json=body)
    assert (forged.status_code, forged.json()["error"]) == (403, "csrf_failed")
    wrong = await mailing.client.post(
        "/auth/password/change",
        json={"current_password": "not the password", "new_password": NEW},
        headers=csrf,
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_credentials")
    changed = await mailing.client.post("/auth/password/change", json=body, headers=csrf)
    assert changed.status_code == 204
    assert (await mailing.client.get("/auth/me", headers=csrf)).status_code == 200
    assert (await mailing.client.get("/dashboard", headers=other)).status_code == 401


async def test_email_change_then_confirm(mailing: Mailing) -> None:
    await mailing.server.register_and_login()
    headers = await _bearer(mailing)
    body = {"new_email": "grace@example.com", "password": PASSWORD}
    asked = await mailing.client.post("/auth/email/change", json=body, headers=headers)
    assert asked.status_code == 202
    kinds = mailing.mailer.kinds()[-2:]
    assert kinds == [("email_change_confirm", "grace@example.com"), ("email_change_notice", EMAIL)]
    token = mailing.mailer.token("email_change_confirm")
    done = await mailing.client.post("/auth/email/confirm", json={"token": token})
    assert done.json() == {"email": "grace@example.com", "email_verified": True}
    assert (await _login(mailing, "grace@example.com")).status_code == 200
    assert (await _login(mailing)).status_code == 401
    bad = await mailing.client.post(
        "/auth/email/change", json={**body, "new_email": "nope"}, headers=headers
    )
    assert (bad.status_code, bad.json()["error"]) == (422, "invalid_email")
    assert "nope" not in bad.text


async def test_delete_me_needs_the_password_and_clears_everything(mailing: Mailing) -> None:
    await mailing.server.register_and_login()
    headers = await _bearer(mailing)
    wrong = await mailing.client.request(
        "DELETE", "/auth/me", json={"password": "not it"}, headers=headers
    )
    assert wrong.status_code == 401
    gone = await mailing.client.request(
        "DELETE", "/auth/me", json={"password": PASSWORD}, headers=headers
    )
    assert gone.status_code == 204
    assert (await mailing.client.get("/dashboard", headers=headers)).status_code == 401
    assert (await _login(mailing)).status_code == 401
    assert mailing.mailer.kinds()[-1] == ("account_deleted", EMAIL)
    again = await mailing.client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
    assert again.status_code == 201


async def test_required_verification_hides_who_has_an_account(strict: Mailing) -> None:
    body = {"email": EMAIL, "password": PASSWORD}
    first = await strict.client.post("/auth/register", json=body)
    await strict.deferred()
    second = await strict.client.post("/auth/register", json=body)
    await strict.deferred()
    assert first.status_code == second.status_code == 202
    assert first.content == second.content
    assert strict.mailer.kinds() == [("verify_email", EMAIL), ("registration_attempt", EMAIL)]
    refused = await _login(strict)
    assert (refused.status_code, refused.json()["error"]) == (403, "email_not_verified")
    assert (await _login(strict, password="not the password")).status_code == 401
    token = strict.mailer.token("verify_email")
    assert (await strict.client.post("/auth/verify-email", json={"token": token})).is_success
    assert (await _login(strict)).status_code == 200
