"""Fold users.email to the normalised form (gatepass.identity.emails).

Revision ID: 0002
Revises: 0001

Rows that would collide, and rows the rule refuses, are left untouched and
reported by user id as warnings on the ``gatepass.store`` logger (``gatepass db
upgrade`` prints them); see ``gatepass.store.emailfold``. The fold cannot be
undone: downgrading leaves the emails as they are.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from gatepass.store.emailfold import plan_email_fold

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("gatepass.store")

_users = sa.table("users", sa.column("id", sa.String), sa.column("email", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    query = sa.select(_users.c.id, _users.c.email).order_by(sa.text("created_at"), _users.c.id)
    fold = plan_email_fold((row.id, row.email) for row in bind.execute(query))
    for user_id, email in fold.updates:
        bind.execute(_users.update().where(_users.c.id == user_id).values(email=email))
    for line in fold.warnings():
        log.warning("email normalisation: %s", line)


def downgrade() -> None:
    """Nothing to undo: the folded emails stay (the old rule finds them as well)."""
