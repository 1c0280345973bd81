"""Engine creation and schema migrations (Alembic, driven programmatically)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from persistence import engine as sql

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file, its parent directory is created."""
    return sql.make_engine(url)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (no alembic.ini, any CWD)."""
    sql.migrate(engine, MIGRATIONS, revision)
