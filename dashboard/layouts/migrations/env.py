"""Alembic environment for the layouts store: runs on the connection handed over by
``database.migrate``, with its own version table (the dashboard's database may hold others)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from dashboard.layouts import tables  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    version_table="alembic_version_layouts",
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
