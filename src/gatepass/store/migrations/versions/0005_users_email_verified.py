"""users.email_verified: whether the user proved they read their address.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends; the default fills the existing rows
    # (nobody has verified an address before this release could ask them to).
    op.add_column(
        "users",
        sa.Column("email_verified", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # As 0003: a plain DROP COLUMN, never batch mode (recreating `users` on
    # SQLite would cascade into its sessions).
    op.execute("ALTER TABLE users DROP COLUMN email_verified")
