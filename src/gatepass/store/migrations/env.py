"""Alembic environment: always handed a live connection by gatepass.store.sql.migrate."""

from __future__ import annotations

from alembic import context

from gatepass.store.sql.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `gatepass db upgrade` or Store.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
