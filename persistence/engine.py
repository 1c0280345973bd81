"""SQL engines for the services' metadata stores, and their Alembic migrations run in code.

One way to open a database for every service that keeps SQL state (the registry, the
dashboard's layouts): SQLite by default (its directory created, WAL, foreign keys on),
any other SQLAlchemy URL (PostgreSQL at scale) with a pre-pinged pool.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine


def make_engine(url: str, *, sqlite_timeout: float | None = None, **pool) -> Engine:
    """An engine for ``url``; for a SQLite file, its parent directory is created.

    ``sqlite_timeout``: seconds a SQLite connection waits for a lock (the driver's default
    if None); ``pool``: pool options for a server database (``pool_size``, ``max_overflow``).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **pool)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args: dict = {"check_same_thread": False}
    if sqlite_timeout is not None:
        connect_args["timeout"] = sqlite_timeout
    engine = create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - driver callback
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def migrate(engine: Engine, migrations: Path, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` with the Alembic scripts in
    ``migrations`` (no alembic.ini, any CWD); ``env.py`` gets the connection as an attribute."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
