"""The Alembic migrations build exactly the tables the SQL store's models describe, on
SQLite and PostgreSQL, and opening a migrated database twice is harmless."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata
from sqlmodel import SQLModel

from dashboard.layouts import tables
from dashboard.layouts.database import open_stores

LAYOUT_TABLES = {tables.LayoutRow.__tablename__, tables.LayoutVersionRow.__tablename__,
                 tables.LayoutLinkRow.__tablename__}


def test_migrations_match_the_models(real_database_url):
    stores = open_stores(real_database_url)
    try:
        with stores.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            drift = [d for d in compare_metadata(context, SQLModel.metadata) if _is_layouts(d)]
            assert drift == []
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version_layouts")).scalar() == "0001"
    finally:
        stores.close()
    open_stores(real_database_url).close()  # already at head: nothing to do, no error


def _is_layouts(change) -> bool:
    """Only changes about the layouts tables (the shared metadata also holds the registry's)."""
    flat = change if isinstance(change, tuple) else change[0]
    for part in flat:
        table = getattr(part, "table", None) if not isinstance(part, sa.Table) else part
        name = getattr(table, "name", None) or getattr(part, "name", None)
        if name in LAYOUT_TABLES:
            return True
    return False
