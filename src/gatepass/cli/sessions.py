"""``gatepass sessions list [--user]|revoke ID|revoke-all USER``."""

from __future__ import annotations

from typing import Any

import typer

from gatepass import admin
from gatepass.cli.output import emit_json, relative, show_table, timestamp
from gatepass.cli.runtime import MAX_OFFSET, current_time, guarded, with_store
from gatepass.settings import Settings
from gatepass.store.protocols import Store
from gatepass.store.records import Session

__all__ = ["sessions_app"]

sessions_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Login sessions.")


def _session_json(session: Session, now: float) -> dict[str, Any]:
    return {
        "id": session.id,
        "user_id": session.user_id,
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "expires_at": session.expires_at,
        "revoked_at": session.revoked_at,
        "revoked_reason": session.revoked_reason,
        "live": session.is_live(now),
        "ip": session.ip,
        "user_agent": session.user_agent,
    }


@sessions_app.command("list")
@guarded
def list_sessions(
    user: str | None = typer.Option(None, "--user", help="Only this user's (email or id)."),
    all_: bool = typer.Option(False, "--all", help="Include revoked and expired sessions."),
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many sessions."),
    offset: int = typer.Option(
        0, min=0, max=MAX_OFFSET, help="Skip this many (most recently used first)."
    ),
    json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Sessions, most recently used first (live ones unless --all)."""
    now = current_time()

    async def work(store: Store, config: Settings) -> list[Session]:
        owner = None if user is None else await admin.find_user(store, user)
        return await admin.list_sessions(
            store, now, user=owner, active_only=not all_, limit=limit, offset=offset
        )

    found = with_store(work)
    if json:
        emit_json({"sessions": [_session_json(s, now) for s in found]})
        return
    rows = [
        (
            s.id,
            s.user_id,
            relative(s.last_used_at, now),
            timestamp(s.expires_at),
            "live" if s.is_live(now) else (s.revoked_reason or "expired"),
            s.ip or "-",
        )
        for s in found
    ]
    columns = ("id", "user", "last used", "expires", "status", "ip")
    show_table("Sessions", columns, rows)


@sessions_app.command("revoke")
@guarded
def revoke(session_id: str = typer.Argument(..., help="The session id.")) -> None:
    """Revoke one session; its refresh token stops working and its access tokens are refused."""

    async def work(store: Store, config: Settings) -> bool:
        return await admin.revoke_session(store, config, session_id, current_time())

    typer.echo("session revoked" if with_store(work) else "session was already revoked")


@sessions_app.command("revoke-all")
@guarded
def revoke_all(user: str = typer.Argument(..., help="The user's email or id.")) -> None:
    """Revoke every session of a user and refuse their live access tokens."""

    async def work(store: Store, config: Settings) -> list[str]:
        found = await admin.find_user(store, user)
        return await admin.revoke_user(store, config, found, current_time(), "revoked_by_admin")

    typer.echo(f"revoked {len(with_store(work))} sessions")
