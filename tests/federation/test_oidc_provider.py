"""The whole sign-in over HTTP against panva's oidc-provider, its pages driven by httpx."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.conftest import claims_of
from tests.federation.conftest import Federated
from tests.federation.provider import CLIENT_SECRET, sign_in

PASSWORD = "correct horse battery"


def browser() -> httpx.Client:
    return httpx.Client(timeout=20)


def me(client: httpx.Client, base: str) -> dict[str, Any]:
    reply = client.get(f"{base}/auth/me")
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def test_a_new_person_signs_in_and_gets_a_session_like_a_password_login(
    federated: Federated,
) -> None:
    base = federated.gatepass.url
    with browser() as person:
        back = sign_in(person, federated.login_url("/after"), "alice")
        assert back.status_code == 302, back.text
        assert back.headers["location"] == "/after"
        assert back.headers["cache-control"] == "no-store"
        assert {"gatepass_access", "gatepass_refresh", "gatepass_csrf"} <= set(person.cookies)
        user = me(person, base)["user"]
        assert (user["email"], user["email_verified"]) == ("alice@example.com", True)
        assert user["has_password"] is False
        claims = claims_of(person.cookies["gatepass_access"])
        assert claims["sub"] == user["id"]
        assert claims["iss"] == base
        assert claims["aud"] == "gatepass"
        assert "amr" not in claims  # oidc-provider's id_token says no amr: none is invented
        # refresh rotation as for any cookie session
        csrf = person.cookies["gatepass_csrf"]
        old_refresh = person.cookies["gatepass_refresh"]
        rotated = person.post(f"{base}/auth/refresh", headers={"X-CSRF-Token": csrf})
        assert rotated.status_code == 200, rotated.text
        assert person.cookies["gatepass_refresh"] != old_refresh
        listed = person.get(f"{base}/auth/identities").json()["identities"]
        assert [(i["provider"], i["email"]) for i in listed] == [("local", "alice@example.com")]
        assert listed[0]["subject"] == "alice"
        # the handshake cookie is gone
        assert "gatepass_oidc" not in person.cookies


def test_the_same_identity_signs_in_to_the_same_account(federated: Federated) -> None:
    base = federated.gatepass.url
    with browser() as first, browser() as second:
        sign_in(first, federated.login_url(), "carol")
        sign_in(second, federated.login_url(), "carol")
        assert me(first, base)["user"]["id"] == me(second, base)["user"]["id"]


def test_a_passwordless_users_only_identity_cannot_be_unlinked(federated: Federated) -> None:
    base = federated.gatepass.url
    with browser() as person:
        sign_in(person, federated.login_url(), "erin")
        identity = person.get(f"{base}/auth/identities").json()["identities"][0]
        csrf = {"X-CSRF-Token": person.cookies["gatepass_csrf"]}
        refused = person.delete(f"{base}/auth/identities/local/{identity['id']}", headers=csrf)
        assert refused.status_code == 409
        assert refused.json()["error"] == "last_sign_in_method"
        # and no password gets them in
        login = httpx.post(
            f"{base}/auth/login", json={"email": "erin@example.com", "password": "anything at all"}
        )
        assert login.status_code == 401


def test_an_unverified_account_with_the_address_is_not_taken_over_then_linked(
    federated: Federated,
) -> None:
    base = federated.gatepass.url
    registered = httpx.post(
        f"{base}/auth/register", json={"email": "bob@example.com", "password": PASSWORD}
    )
    assert registered.status_code == 201  # development: not verified
    with browser() as attacker:
        refused = sign_in(attacker, federated.login_url(), "bob")
        assert refused.status_code == 302
        assert refused.headers["location"] == "/oidc-error?error=link_required"
        assert "gatepass_access" not in attacker.cookies
    with browser() as bob:
        bob.post(
            f"{base}/auth/login",
            json={"email": "bob@example.com", "password": PASSWORD, "cookies": True},
        )
        csrf = {"X-CSRF-Token": bob.cookies["gatepass_csrf"]}
        started = bob.post(
            f"{base}/auth/oidc/local/link", headers=csrf, json={"return_to": "/linked"}
        )
        assert started.status_code == 200, started.text
        back = sign_in(bob, started.json()["location"], "bob")
        assert back.headers["location"] == "/linked"
        listed = bob.get(f"{base}/auth/identities").json()["identities"]
        assert [i["subject"] for i in listed] == ["bob"]
        assert me(bob, base)["user"]["has_password"] is True
        # bob has a password: the identity may go
        gone = bob.delete(f"{base}/auth/identities/local/bob", headers=csrf)
        assert gone.status_code == 204
        assert bob.get(f"{base}/auth/identities").json()["identities"] == []


def test_link_without_csrf_is_refused(federated: Federated) -> None:
    base = federated.gatepass.url
    httpx.post(f"{base}/auth/register", json={"email": "frank@example.com", "password": PASSWORD})
    with browser() as frank:
        frank.post(
            f"{base}/auth/login",
            json={"email": "frank@example.com", "password": PASSWORD, "cookies": True},
        )
        refused = frank.post(f"{base}/auth/oidc/local/link")
        assert refused.status_code == 403
        assert refused.json()["error"] == "csrf_failed"


def test_a_verified_account_is_linked_by_the_providers_verified_address(
    federated: Federated,
) -> None:
    base = federated.gatepass.url
    httpx.post(f"{base}/auth/register", json={"email": "alice2@example.com", "password": PASSWORD})
    # alice2 is not in the provider's table: it says the address is unverified
    with browser() as person:
        refused = sign_in(person, federated.login_url(), "alice2")
        assert refused.headers["location"] == "/oidc-error?error=link_required"
    verified = federated.cli("users", "verify", "alice2@example.com")
    assert verified.returncode == 0, verified.stderr
    with browser() as person:
        refused = sign_in(person, federated.login_url(), "alice2")  # still: the provider's side
        assert refused.headers["location"] == "/oidc-error?error=link_required"
    # both sides verified: the identity is linked to the account, which signs in
    created = httpx.post(
        f"{base}/auth/register", json={"email": "gina@example.com", "password": PASSWORD}
    ).json()
    assert federated.cli("users", "verify", "gina@example.com").returncode == 0
    with browser() as gina:
        back = sign_in(gina, federated.login_url(), "gina")
        assert back.headers["location"] == "/"
        assert me(gina, base)["user"]["id"] == created["id"]
        assert [i["subject"] for i in gina.get(f"{base}/auth/identities").json()["identities"]] == [
            "gina"
        ]


def test_consent_refused_ends_on_the_error_page(federated: Federated) -> None:
    with browser() as person:
        page = person.get(federated.login_url(), follow_redirects=True)
        assert "/interaction/" in str(page.url)
        abort = person.get(f"{page.url}/abort")
        while abort.is_redirect and "/callback" not in str(abort.url):
            abort = person.get(httpx.URL(str(abort.url)).join(abort.headers["location"]))
        assert abort.status_code == 302
        assert abort.headers["location"] == "/oidc-error?error=federation_denied"
        assert "gatepass_access" not in person.cookies


def test_providers_are_listed_without_secrets(federated: Federated) -> None:
    reply = httpx.get(f"{federated.gatepass.url}/auth/oidc/providers")
    assert reply.json() == {"providers": [{"name": "local", "label": "local"}]}
    config = httpx.get(f"{federated.gatepass.url}/console/config.json").text
    assert "client-secret" not in config
    assert "a-client-secret" not in reply.text


def test_the_servers_log_holds_no_secret_and_no_traceback(federated: Federated) -> None:
    """Run last in the module: every sign-in above, refused ones included, is in the log."""
    log = federated.gatepass.log()
    assert CLIENT_SECRET not in log
    assert "Traceback" not in log
    assert "eyJ" not in log  # no token, id_token or handshake cookie
