"""sessions.reauthenticated_at: when the person of a session last proved it was them again.

NULL for every session until then: its ``auth_time`` is its start.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("reauthenticated_at", sa.Double(), nullable=True))


def downgrade() -> None:
    # As 0006: a plain DROP COLUMN, never batch mode (recreating `sessions` on
    # SQLite would cascade into its refresh tokens).
    op.execute("ALTER TABLE sessions DROP COLUMN reauthenticated_at")
