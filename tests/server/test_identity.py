"""Over HTTP: one account per address however it is written; passwords normalised and checked."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher

from gatepass.identity.emails import INVISIBLE, NOT_AN_ADDRESS
from gatepass.identity.passwords import COMMON, GUESSABLE
from tests.server.conftest import PASSWORD, Server

VICTIM = "victim@example.com"


async def register(
    server: Server, email: str, password: str = PASSWORD
) -> tuple[int, dict[str, str]]:
    reply = await server.client.post("/auth/register", json={"email": email, "password": password})
    return reply.status_code, reply.json()


async def login(server: Server, email: str, password: str = PASSWORD) -> tuple[int, dict[str, str]]:
    reply = await server.client.post("/auth/login", json={"email": email, "password": password})
    return reply.status_code, reply.json()


@pytest.mark.parametrize(
    ("original", "look_alike", "status"),
    [
        (VICTIM, "vic\u200btim@example.com", 422),  # zero-width space
        (VICTIM, "\ufeffvictim@example.com", 422),  # byte-order mark
        (VICTIM, "vic\u00adtim@example.com", 422),  # soft hyphen
        (VICTIM, "vic\u2060tim@example.com", 422),  # word joiner
        (VICTIM, "vic\u200ctim@example.com", 422),  # zero-width non-joiner
        (VICTIM, "vic\u200dtim@example.com", 422),  # zero-width joiner
        (VICTIM, "victim@example.com.", 422),  # trailing dot
        (VICTIM, "ｖｉｃｔｉｍ@example.com", 409),  # fullwidth
        (VICTIM, "victim@ＥＸＡＭＰＬＥ.ｃｏｍ", 409),
        (VICTIM, "VICTIM@EXAMPLE.COM", 409),
        (VICTIM, "𝐯𝐢𝐜𝐭𝐢𝐦@example.com", 409),  # mathematical bold
        (VICTIM, " victim@example.com\t", 409),
        ("jos\u00e9@example.com", "jose\u0301@example.com", 409),  # NFC, then NFD
        ("jose\u0301@example.com", "JOS\u00c9@example.com", 409),
        ("victim@ex\u00e4mple.com", "victim@xn--exmple-cua.com", 409),  # IDNA forms
        ("victim@xn--exmple-cua.com", "victim@EXA\u0308MPLE.com", 409),
        ("office@example.com", "oﬃce@example.com", 409),  # ligature
        ("strasse@example.com", "STRA\u00dfE@example.com", 409),  # casefolded
    ],
)
async def test_a_look_alike_never_gets_a_new_account(
    server: Server, original: str, look_alike: str, status: int
) -> None:
    assert (await register(server, original))[0] == 201
    code, body = await register(server, look_alike)
    assert code == status
    assert body["error"] == {409: "user_exists", 422: "invalid_email"}[status]
    assert set(body) == {"error", "message"}
    assert look_alike.strip() not in body["message"]
    assert len(await server.store.list_users(limit=10)) == 1


async def test_the_422_says_why(server: Server) -> None:
    assert await register(server, "vic\u200btim@example.com") == (
        422,
        {"error": "invalid_email", "message": INVISIBLE},
    )
    assert await register(server, "victim@example.com.") == (
        422,
        {"error": "invalid_email", "message": NOT_AN_ADDRESS},
    )


async def test_the_account_is_stored_and_shown_in_its_one_form(server: Server) -> None:
    code, body = await register(server, "Jose\u0301@EXA\u0308MPLE.com")
    assert code == 201
    assert body["email"] == "jos\u00e9@xn--exmple-cua.com"
    code, tokens = await login(server, "ＪＯＳＥ\u0301@exämple.com")
    assert code == 200
    me = await server.client.get(
        "/auth/me", headers={"authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["user"]["email"] == "jos\u00e9@xn--exmple-cua.com"


async def test_login_look_alikes_share_the_accounts_rate_limit(server: Server) -> None:
    """The (account, IP) login limit counts the normalised address, not what was typed."""
    await register(server, VICTIM)
    spellings = ["VICTIM@example.com", "ｖｉｃｔｉｍ@example.com", "𝐯𝐢𝐜𝐭𝐢𝐦@example.com"]
    limit = server.settings.login_limit_per_account_ip
    assert limit < server.settings.login_limit_per_ip
    codes = [(await login(server, spellings[i % 3], "wrong password"))[0] for i in range(limit + 1)]
    assert codes == [401] * limit + [429]


async def test_a_password_registered_in_nfc_logs_in_with_nfd(server: Server) -> None:
    nfc = unicodedata.normalize("NFC", "Crème brûlée à minuit")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert (await register(server, VICTIM, nfc))[0] == 201
    assert (await login(server, VICTIM, nfd))[0] == 200
    assert (await login(server, VICTIM, nfc))[0] == 200
    assert (await login(server, VICTIM, nfc + "!"))[0] == 401


async def test_a_hash_of_a_password_that_was_not_normalised_still_logs_in_and_is_rehashed(
    server: Server,
) -> None:
    nfd = unicodedata.normalize("NFD", "Crème brûlée à minuit")
    nfc = unicodedata.normalize("NFC", nfd)
    legacy = PasswordHasher().hash(nfd)  # how gatepass hashed before NFKC
    user = await server.store.create_user(VICTIM, legacy, now=0.0)
    assert (await login(server, VICTIM, nfd))[0] == 200
    rehashed = await server.store.get_user(user.id)
    assert rehashed is not None
    assert rehashed.password_hash != legacy
    assert PasswordHasher().verify(rehashed.password_hash, nfc)
    assert (await login(server, VICTIM, nfc))[0] == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", COMMON),
        ("password", COMMON),
        ("qwertyuiop", COMMON),
        ("Password1", COMMON),
        (" " * 8, f'{GUESSABLE}: Repeats like "aaa" are easy to guess.'),
    ],
)
async def test_weak_passwords_are_refused_at_registration(
    server: Server, password: str, message: str
) -> None:
    assert await register(server, VICTIM, password) == (
        422,
        {"error": "weak_password", "message": message},
    )
    assert await server.store.list_users(limit=10) == []


async def test_login_never_applies_the_password_policy(server: Server) -> None:
    """An account whose password predates the policy keeps working."""
    await server.store.create_user(VICTIM, PasswordHasher().hash("password"), now=0.0)
    assert (await login(server, VICTIM, "password"))[0] == 200


async def test_a_long_password_is_checked_quickly_and_accepted(server: Server) -> None:
    password = "correct horse battery staple " + "4@8({[<36!|1l7+05$2%" * 49
    assert len(password) <= 1024
    assert (await register(server, VICTIM, password))[0] == 201
    assert (await login(server, VICTIM, password))[0] == 200


async def test_an_address_the_rule_refuses_only_for_its_domain_is_not_found_at_login(
    server: Server,
) -> None:
    """No 422 for a plausible address at sign-in: it is looked up (and not found), so a
    row migration 0002 left alone (an intranet domain) can still sign in."""
    for email in ("tu@gdtlvip.9ec.test", "ada@intranet.local", "root@localhost"):
        code, body = await login(server, email, "wrong password")
        assert (code, body["error"]) == (401, "invalid_credentials")
