"""Alembic environment: runs on the connection handed over by ``database.migrate``."""

from __future__ import annotations

from persistence.migration_env import run_migrations
from registry.adapters import tables  # noqa: F401  (registers the tables on the metadata)

run_migrations()
