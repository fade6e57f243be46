"""``gatepass users add|list|show|disable|enable|set-password|verify|reset-link|mfa``.

Passwords come from a hidden prompt on a terminal, else the first line of
stdin; never from the command line. USER is an email or a user id.
"""

from __future__ import annotations

from typing import Any

import typer

from gatepass import admin
from gatepass.cli.output import emit_json, show_table, timestamp
from gatepass.cli.runtime import MAX_OFFSET, current_time, guarded, read_password, with_store
from gatepass.identity.passwords import check_new_password
from gatepass.settings import Settings
from gatepass.store.identities import Identity
from gatepass.store.protocols import Store
from gatepass.store.records import User

__all__ = ["users_app"]

users_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="User accounts.")
USER_HELP = "The user's email or id."


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "disabled": user.disabled,
        "email_verified": user.email_verified,
        "created_at": user.created_at,
    }


@users_app.command("add")
@guarded
def add(
    email: str = typer.Argument(..., help="The new user's email."),
    role: str = typer.Option("user", help="The user's role claim."),
) -> None:
    """Create a user; the password is read from a prompt or stdin, never the command line."""
    email = admin.check_new_user(email, role)  # before the prompt: a typo costs no password
    password = read_password()
    check_new_password(password, email=email)  # before the store: a weak one costs no connection

    async def work(store: Store, config: Settings) -> User:
        from gatepass.server.passwords import Passwords

        hashed = await Passwords(config).hash(password)
        return await admin.create_user(store, email, hashed, role=role, now=current_time())

    typer.echo(f"created user {with_store(work).id}")


@users_app.command("list")
@guarded
def list_users(
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many users."),
    offset: int = typer.Option(0, min=0, max=MAX_OFFSET, help="Skip this many (oldest first)."),
    json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Users, oldest first."""

    async def work(store: Store, config: Settings) -> list[User]:
        return await store.list_users(limit=limit, offset=offset)

    users = with_store(work)
    if json:
        emit_json({"users": [user_json(u) for u in users]})
        return
    rows = [
        (
            u.id,
            u.email,
            "yes" if u.email_verified else "no",
            u.role,
            "disabled" if u.disabled else "active",
            timestamp(u.created_at),
        )
        for u in users
    ]
    show_table("Users", ("id", "email", "verified", "role", "status", "created"), rows)


@users_app.command("show")
@guarded
def show(
    user: str = typer.Argument(..., help=USER_HELP),
    json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """One user: their account and the sign-in providers' identities linked to it."""

    async def work(store: Store, config: Settings) -> tuple[User, list[Identity]]:
        found = await admin.find_user(store, user)
        return found, await store.list_identities(found.id)

    found, identities = with_store(work)
    linked = [
        {
            "provider": i.provider,
            "subject": i.subject,
            "email": i.email,
            "created_at": i.created_at,
            "last_login_at": i.last_login_at,
        }
        for i in identities
    ]
    if json:
        emit_json({**user_json(found), "password": found.has_password, "identities": linked})
        return
    typer.echo(f"user {found.id}: {found.email}")
    typer.echo(
        f"verified: {'yes' if found.email_verified else 'no'}; role: {found.role}; "
        f"{'disabled' if found.disabled else 'active'}; "
        f"password: {'yes' if found.has_password else 'none'}; "
        f"created {timestamp(found.created_at)}"
    )
    rows = [
        (i.provider, i.subject, i.email or "", timestamp(i.created_at), timestamp(i.last_login_at))
        for i in identities
    ]
    show_table("Identities", ("provider", "subject", "email", "linked", "last sign-in"), rows)


def _set_disabled(ref: str, disabled: bool) -> User:
    async def work(store: Store, config: Settings) -> User:
        user = await admin.find_user(store, ref)
        return await admin.set_disabled(store, config, user, disabled, current_time())

    return with_store(work)


@users_app.command("disable")
@guarded
def disable(user: str = typer.Argument(..., help=USER_HELP)) -> None:
    """Disable a user: their sessions end and their live access tokens are refused."""
    typer.echo(f"disabled user {_set_disabled(user, True).id}")


@users_app.command("enable")
@guarded
def enable(user: str = typer.Argument(..., help=USER_HELP)) -> None:
    """Enable a disabled user again (they log in anew)."""
    typer.echo(f"enabled user {_set_disabled(user, False).id}")


@users_app.command("set-password")
@guarded
def set_password(user: str = typer.Argument(..., help=USER_HELP)) -> None:
    """Set a new password (prompt or stdin); the user's sessions and live tokens end."""
    password = read_password()

    async def work(store: Store, config: Settings) -> User:
        from gatepass.server.passwords import Passwords

        found = await admin.find_user(store, user)
        check_new_password(password, email=found.email)  # the user's own email is a guess too
        hashed = await Passwords(config).hash(password)
        return await admin.set_password(store, config, found, hashed, current_time())

    typer.echo(f"password set for user {with_store(work).id}; their sessions were revoked")


@users_app.command("verify")
@guarded
def verify(user: str = typer.Argument(..., help=USER_HELP)) -> None:
    """Mark the user's address verified (as their verification link would)."""

    async def work(store: Store, config: Settings) -> User:
        return await admin.mark_verified(store, await admin.find_user(store, user), current_time())

    typer.echo(f"verified the address of user {with_store(work).id}")


@users_app.command("reset-link")
@guarded
def reset_link(user: str = typer.Argument(..., help=USER_HELP)) -> None:
    """Print a password-reset link (30 minutes, once) to pass on to the user yourself."""

    async def work(store: Store, config: Settings) -> str:
        found = await admin.find_user(store, user)
        return await admin.reset_link(store, config, found, current_time())

    typer.echo(with_store(work))


@users_app.command("mfa")
@guarded
def mfa(
    user: str = typer.Argument(..., help=USER_HELP),
    reset: bool = typer.Option(
        False, "--reset", help="Remove the TOTP factor, recovery codes and passkeys (audited)."
    ),
    json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Show the user's second factors; --reset removes them for a user who lost them."""

    async def work(store: Store, config: Settings) -> tuple[User, bool, admin.MfaStatus]:
        found = await admin.find_user(store, user)
        removed = await admin.reset_mfa(store, found, current_time()) if reset else False
        return found, removed, await admin.mfa_status(store, found)

    found, removed, status = with_store(work)
    if json:
        emit_json(
            {
                "id": found.id,
                "totp": status.totp,
                "recovery_codes": status.recovery_codes,
                "passkeys": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "created_at": p.created_at,
                        "last_used_at": p.last_used_at,
                    }
                    for p in status.passkeys
                ],
                **({"reset": removed} if reset else {}),
            }
        )
        return
    if reset:
        typer.echo(f"second factors of user {found.id} " + ("removed" if removed else "were off"))
    typer.echo(f"totp: {status.totp}; recovery codes left: {status.recovery_codes}")
    names = ", ".join(p.name for p in status.passkeys)
    typer.echo(f"passkeys: {len(status.passkeys)}" + (f" ({names})" if names else ""))
