"""`gatepass users add`: password from stdin, never argv; then the user can log in."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from gatepass.errors import InvalidTokenError
from gatepass.flows.links import redeem_link
from gatepass.server.passwords import Passwords
from gatepass.settings import Settings
from gatepass.store import Revocation, Store, new_id, open_store
from gatepass.store.factors import TotpFactor
from gatepass.store.passkeys import Passkey
from tests.cli.conftest import Cli
from tests.flows.mfa_helpers import SEALER

GATEPASS = str(Path(sys.executable).with_name("gatepass"))


def _run(args: list[str], stdin: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    return subprocess.run(
        [GATEPASS, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_users_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "gatepass.db"
    done = _run(
        ["users", "add", "ada@example.com", "--role", "admin"], "correct horse battery\n", db
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created user ")

    async def check() -> None:
        store = open_store(f"sqlite+aiosqlite:///{db}")
        user = await store.get_user_by_email("ada@example.com")
        await store.close()
        assert user is not None
        assert user.role == "admin"
        ok, _ = await Passwords(Settings()).verify(user.password_hash, "correct horse battery")
        assert ok

    asyncio.run(check())


def test_users_add_refuses_short_passwords_and_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "gatepass.db"
    short = _run(["users", "add", "ada@example.com"], "short\n", db)
    assert short.returncode != 0
    assert "8 to 1024" in short.stderr
    assert "Traceback" not in short.stderr
    assert _run(["users", "add", "ada@example.com"], "correct horse battery\n", db).returncode == 0
    again = _run(["users", "add", "ADA@example.com"], "correct horse battery\n", db)
    assert again.returncode == 2
    assert "user_exists" in again.stderr
    assert "Traceback" not in again.stderr


# --- in process (CliRunner) ---------------------------------------------------


def _add(cli: Cli, email: str, password: str = "correct horse battery") -> str:
    result = cli("users", "add", email, input=password + "\n")
    assert result.exit_code == 0, result.output
    return result.stdout.split()[-1]


def test_users_list_json_and_table(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")
    bob = _add(cli, "bob@example.com")
    listed = cli.json("users", "list")
    assert isinstance(listed, dict)
    assert [u["id"] for u in listed["users"]] == [ada, bob]
    assert set(listed["users"][0]) == {
        "id",
        "email",
        "role",
        "disabled",
        "email_verified",
        "created_at",
    }
    assert [u["email_verified"] for u in listed["users"]] == [False, False]
    assert "password_hash" not in str(listed)
    table = cli("users", "list")
    assert "ada@example.com" in table.stdout
    assert "bob@example.com" in table.stdout
    assert "verified" in table.stdout
    assert cli.json("users", "list", "--limit", "1", "--offset", "1") == {
        "users": [listed["users"][1]]
    }


def test_users_list_shows_who_verified_their_address(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")
    bob = _add(cli, "bob@example.com")
    cli.store(lambda store: store.update_user(bob, email_verified=True))
    listed = cli.json("users", "list")
    assert isinstance(listed, dict)
    verified = {u["id"]: u["email_verified"] for u in listed["users"]}
    assert verified == {ada: False, bob: True}
    lines = cli("users", "list").stdout.splitlines()
    ada_row = next(line for line in lines if "ada@example.com" in line)
    bob_row = next(line for line in lines if "bob@example.com" in line)
    assert " no " in ada_row
    assert " yes " in bob_row


def test_passwords_are_never_taken_from_argv(cli: Cli) -> None:
    extra = cli("users", "add", "ada@example.com", "correct horse battery", input="")
    assert extra.exit_code == 2
    option = cli("users", "add", "ada@example.com", "--password", "correct horse battery")
    assert option.exit_code == 2
    assert cli.json("users", "list") == {"users": []}
    _add(cli, "ada@example.com")
    assert cli("users", "set-password", "ada@example.com", "new password here").exit_code == 2


@pytest.mark.parametrize(
    ("email", "role", "code"),
    [
        ("not-an-email", "user", "invalid_email"),  # no @: could never log in, nor be found
        ("a@b@example.com", "user", "invalid_email"),
        ("ada\u202e@example.com", "user", "invalid_email"),  # bidi override
        ("ada\x1b[31m@example.com", "user", "invalid_email"),
        ("vic\u200btim@example.com", "user", "invalid_email"),  # zero-width space
        ("ada@example.com", "", "invalid_argument"),
        ("ada@example.com", "admin\n", "invalid_argument"),
        ("ada@example.com", "ad\x1bmin", "invalid_argument"),
    ],
)
def test_users_add_refuses_what_the_server_would_refuse(
    cli: Cli, email: str, role: str, code: str
) -> None:
    result = cli("users", "add", email, "--role", role, input="correct horse battery\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"gatepass: {code}: ")
    assert len(result.stderr.splitlines()) == 1
    assert cli.json("users", "list") == {"users": []}


def _live_session(cli: Cli, user_id: str) -> str:
    async def work(store: Store) -> str:
        now = time.time()
        session = await store.create_session(user_id, now=now, expires_at=now + 3600)
        return session.id

    return cli.store(work)


def _user_revocations(cli: Cli, user_id: str) -> list[Revocation]:
    async def work(store: Store) -> list[Revocation]:
        live = await store.live_revocations(now=time.time())
        return [r for r in live if r.kind == "user" and r.subject == user_id]

    return cli.store(work)


def test_disable_ends_sessions_and_tokens_then_enable(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")
    session = _live_session(cli, ada)
    result = cli("users", "disable", "ADA@example.com")
    assert (result.exit_code, result.stdout.strip()) == (0, f"disabled user {ada}")
    users = cli.json("users", "list")
    assert users["users"][0]["disabled"] is True  # type: ignore[index]
    assert cli.json("sessions", "list") == {"sessions": []}
    [entry] = _user_revocations(cli, ada)
    assert entry.expires_at - entry.not_before == 900
    revoked = cli.json("sessions", "list", "--all")
    assert revoked["sessions"][0]["id"] == session  # type: ignore[index]
    assert revoked["sessions"][0]["revoked_reason"] == "user_disabled"  # type: ignore[index]
    assert cli("users", "enable", ada).stdout.strip() == f"enabled user {ada}"
    assert cli.json("users", "list")["users"][0]["disabled"] is False  # type: ignore[index]

    async def events(store: Store) -> list[str]:
        return [e.event for e in await store.list_audit_events(user_id=ada)]

    assert {"user_created", "user_disabled", "sessions_revoked", "user_enabled"} <= set(
        cli.store(events)
    )


def test_set_password_rehashes_and_revokes(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")
    _live_session(cli, ada)
    result = cli("users", "set-password", ada, input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert cli.json("sessions", "list", "--user", ada) == {"sessions": []}
    assert len(_user_revocations(cli, ada)) == 1

    async def check(store: Store) -> tuple[bool, bool]:
        user = await store.get_user(ada)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        passwords = Passwords(Settings())
        new, _ = await passwords.verify(user.password_hash, "a brand new password")
        old, _ = await passwords.verify(user.password_hash, "correct horse battery")
        return new, old

    assert cli.store(check) == (True, False)
    short = cli("users", "set-password", ada, input="short\n")
    assert short.exit_code == 2
    assert "8 to 1024" in short.stderr


def test_unknown_users_are_one_line(cli: Cli) -> None:
    for command in ("disable", "enable"):
        result = cli("users", command, "nobody@example.com")
        assert result.exit_code == 2
        assert result.stderr == "gatepass: not_found: No such user\n"
    result = cli("users", "set-password", "0" * 32, input="a brand new password\n")
    assert result.stderr == "gatepass: not_found: No such user\n"


def test_verify_marks_the_address_and_is_audited(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")
    result = cli("users", "verify", "ada@example.com")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"verified the address of user {ada}\n"

    async def check(store: Store) -> tuple[bool, list[str]]:
        user = await store.get_user(ada)
        assert user is not None
        events = [e.event for e in await store.list_audit_events(user_id=ada)]
        return user.email_verified, events

    verified, events = cli.store(check)
    assert verified
    assert events[0] == "email_verified"
    assert cli("users", "verify", "nobody@example.com").stderr == (
        "gatepass: not_found: No such user\n"
    )


def test_reset_link_prints_a_link_the_reset_flow_accepts_once(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEPASS_APP_URL", "https://accounts.example.com/app")
    ada = _add(cli, "ada@example.com")
    result = cli("users", "reset-link", ada)
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "accounts.example.com",
        "/app/reset-password",
    )
    token = parse_qs(parts.query)["token"][0]

    async def spend(store: Store) -> str:
        _, user = await redeem_link(store, "reset_password", token, now=time.time())
        try:
            await redeem_link(store, "reset_password", token, now=time.time())
        except InvalidTokenError:
            return user.id
        raise AssertionError("a reset link worked twice")

    assert cli.store(spend) == ada
    assert token not in str(cli.store(lambda store: store.list_audit_events(user_id=ada)))


def test_mfa_shows_and_resets_a_users_second_factor(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")
    empty = {"id": ada, "totp": "off", "recovery_codes": 0, "passkeys": []}
    assert cli.json("users", "mfa", ada) == empty

    async def enrol(store: Store) -> None:
        await store.save_totp(
            TotpFactor(ada, SEALER.seal(b"JBSWY3DPEHPK3PXP", ada.encode()), False, time.time())
        )
        await store.confirm_totp(ada, step=1, recovery_hashes=["h1", "h2", "h3"])
        for at, name in enumerate(("Laptop", "Phone")):
            await store.add_passkey(
                Passkey(new_id(), ada, name.encode(), b"k", 0, (), False, False, "", name, at)
            )

    cli.store(enrol)
    shown = cli("users", "mfa", "ada@example.com")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == "totp: on; recovery codes left: 3\npasskeys: 2 (Laptop, Phone)\n"
    listed = cli.json("users", "mfa", ada)
    assert isinstance(listed, dict)
    assert [p["name"] for p in listed["passkeys"]] == ["Laptop", "Phone"]
    reset = cli.json("users", "mfa", ada, "--reset")
    assert reset == {**empty, "reset": True}
    again = cli("users", "mfa", ada, "--reset")
    assert again.stdout.splitlines()[0] == f"second factors of user {ada} were off"

    async def trail(store: Store) -> list[tuple[str, object, object]]:
        events = await store.list_audit_events(user_id=ada)
        return [
            (e.event, e.detail.get("removed"), e.detail.get("passkeys"))
            for e in events
            if e.event == "mfa_reset"
        ]

    assert cli.store(trail) == [("mfa_reset", False, 0), ("mfa_reset", True, 2)]


def test_show_lists_a_users_identities(cli: Cli) -> None:
    ada = _add(cli, "ada@example.com")

    async def link(store: Store) -> None:
        await store.add_identity(
            ada, "google", "10769150350006150715113082367", email="ada@gmail.com", now=time.time()
        )
        await store.add_identity(ada, "github", "583231", email=None, now=time.time())

    cli.store(link)
    shown = cli.json("users", "show", "ada@example.com")
    assert isinstance(shown, dict)
    assert (shown["id"], shown["email"], shown["password"]) == (ada, "ada@example.com", True)
    assert [(i["provider"], i["subject"], i["email"]) for i in shown["identities"]] == [
        ("google", "10769150350006150715113082367", "ada@gmail.com"),
        ("github", "583231", None),
    ]
    table = cli("users", "show", ada)
    assert table.exit_code == 0, table.output
    assert "password: yes" in table.stdout
    assert "10769150350006150715113082367" in table.stdout
    assert "github" in table.stdout
    missing = cli("users", "show", "nobody@example.com")
    assert missing.exit_code != 0
