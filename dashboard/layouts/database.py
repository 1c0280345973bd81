"""Open the layouts stores named by the database URL: ``memory://`` (the fakes) or any
SQLAlchemy URL (SQLite file by default, PostgreSQL at scale), migrated by Alembic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.layouts.store import InMemoryLayoutStore, InMemoryLinkStore, LayoutStore, LinkStore
from persistence import engine as sql

MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass
class Stores:
    layouts: LayoutStore
    links: LinkStore
    engine: Engine | None = None

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file, its parent directory is created."""
    return sql.make_engine(url, sqlite_timeout=30, pool_size=10, max_overflow=20)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the layouts tables behind ``engine`` to ``revision`` (no alembic.ini, any CWD)."""
    sql.migrate(engine, MIGRATIONS, revision)


def open_stores(url: str) -> Stores:
    if url.startswith("memory://"):
        return Stores(InMemoryLayoutStore(), InMemoryLinkStore())
    from dashboard.layouts.sql_store import SqlLayoutStore, SqlLinkStore

    engine = make_engine(url)
    migrate(engine)
    return Stores(SqlLayoutStore(engine), SqlLinkStore(engine), engine)
