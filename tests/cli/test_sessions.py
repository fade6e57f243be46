"""`gatepass sessions list|revoke|revoke-all` on a temporary database."""

from __future__ import annotations

import time

from gatepass.store import Revocation, Store
from tests.cli.conftest import Cli


def _setup(cli: Cli) -> tuple[str, str, list[str]]:
    """Two users; ada has two live sessions, bob one; returns (ada, bob, [a1, a2, b1])."""

    async def work(store: Store) -> tuple[str, str, list[str]]:
        now = time.time()
        ada = await store.create_user("ada@example.com", "h", now=now)
        bob = await store.create_user("bob@example.com", "h", now=now)
        ids = []
        for i, user in enumerate((ada, ada, bob)):
            session = await store.create_session(
                user.id, now=now + i, expires_at=now + 3600, ip="127.0.0.1", user_agent="ua"
            )
            ids.append(session.id)
        return ada.id, bob.id, ids

    return cli.store(work)


def _revocations(cli: Cli) -> list[Revocation]:
    async def work(store: Store) -> list[Revocation]:
        return await store.live_revocations(now=time.time())

    return cli.store(work)


def test_list_every_users_sessions_or_one(cli: Cli) -> None:
    ada, bob, (a1, a2, b1) = _setup(cli)
    listed = cli.json("sessions", "list")
    assert isinstance(listed, dict)
    assert [s["id"] for s in listed["sessions"]] == [b1, a2, a1]
    assert set(listed["sessions"][0]) == {
        "id",
        "user_id",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
        "live",
        "ip",
        "user_agent",
    }
    by_email = cli.json("sessions", "list", "--user", "ada@example.com")
    by_id = cli.json("sessions", "list", "--user", ada)
    assert by_email == by_id
    assert [s["id"] for s in by_id["sessions"]] == [a2, a1]  # type: ignore[index]
    table = cli("sessions", "list")
    assert table.exit_code == 0
    assert b1 in table.stdout
    assert "127.0.0.1" in table.stdout
    assert cli.json("sessions", "list", "--limit", "1") == {"sessions": listed["sessions"][:1]}
    unknown = cli("sessions", "list", "--user", "nobody@example.com")
    assert (unknown.exit_code, unknown.stderr) == (2, "gatepass: not_found: No such user\n")
    assert bob


def test_revoke_one_session_denylists_it(cli: Cli) -> None:
    _, _, (a1, a2, _) = _setup(cli)
    result = cli("sessions", "revoke", a1)
    assert (result.exit_code, result.stdout) == (0, "session revoked\n")
    again = cli("sessions", "revoke", a1)
    assert (again.exit_code, again.stdout) == (0, "session was already revoked\n")
    [entry] = _revocations(cli)
    assert (entry.kind, entry.subject) == ("session", a1)
    assert a1 not in {s["id"] for s in cli.json("sessions", "list")["sessions"]}  # type: ignore[index]
    missing = cli("sessions", "revoke", "no-such-session")
    assert (missing.exit_code, missing.stderr) == (2, "gatepass: not_found: No such session\n")
    assert a2


def test_revoke_all_of_a_user(cli: Cli) -> None:
    ada, _, (_, _, b1) = _setup(cli)
    result = cli("sessions", "revoke-all", "ada@example.com")
    assert (result.exit_code, result.stdout) == (0, "revoked 2 sessions\n")
    assert [s["id"] for s in cli.json("sessions", "list")["sessions"]] == [b1]  # type: ignore[index]
    assert [(r.kind, r.subject) for r in _revocations(cli)] == [("user", ada)]
    everything = cli.json("sessions", "list", "--all", "--user", ada)
    reasons = {s["revoked_reason"] for s in everything["sessions"]}  # type: ignore[index]
    assert reasons == {"revoked_by_admin"}
