"""Alembic environment for the layouts store: runs on the connection handed over by
``database.migrate``, with its own version table (the dashboard's database may hold others)."""

from __future__ import annotations

from dashboard.layouts import tables  # noqa: F401  (registers the tables on the metadata)
from persistence.migration_env import run_migrations

run_migrations(version_table="alembic_version_layouts")
