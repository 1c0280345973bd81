"""The body of every service's Alembic ``env.py``: run on the connection ``engine.migrate``
handed over, against the SQLModel metadata (the service's tables module registers them)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel


def run_migrations(version_table: str | None = None) -> None:
    """Run the pending migrations; ``version_table`` names Alembic's own table when the
    database may hold another service's (None: Alembic's default, ``alembic_version``)."""
    connection = context.config.attributes["connection"]
    options = {"version_table": version_table} if version_table else {}
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        **options,
    )
    with context.begin_transaction():
        context.run_migrations()
