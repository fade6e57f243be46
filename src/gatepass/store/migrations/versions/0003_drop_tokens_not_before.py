"""Drop users.tokens_not_before: nothing has read it since revoke_user's denylist entry.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN on both backends (SQLite has it since
    # 3.35). Alembic's batch mode would recreate `users` on SQLite, and with
    # foreign keys on, dropping the old table would cascade into sessions.
    op.execute("ALTER TABLE users DROP COLUMN tokens_not_before")


def downgrade() -> None:
    op.add_column(
        "users",
        sa.Column("tokens_not_before", sa.BigInteger(), nullable=False, server_default="0"),
    )
