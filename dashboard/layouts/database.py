"""Open the layouts stores named by the database URL: ``memory://`` (the fakes) or any
SQLAlchemy URL (SQLite file by default, PostgreSQL at scale), migrated by Alembic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from dashboard.layouts.store import InMemoryLayoutStore, InMemoryLinkStore, LayoutStore, LinkStore

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
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - driver callback
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the layouts tables behind ``engine`` to ``revision`` (no alembic.ini, any CWD)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def open_stores(url: str) -> Stores:
    if url.startswith("memory://"):
        return Stores(InMemoryLayoutStore(), InMemoryLinkStore())
    from dashboard.layouts.sql_store import SqlLayoutStore, SqlLinkStore

    engine = make_engine(url)
    migrate(engine)
    return Stores(SqlLayoutStore(engine), SqlLinkStore(engine), engine)
