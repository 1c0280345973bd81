"""The PostgreSQL test server: is it reachable, and a fresh schema per test."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("TESSERA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A fresh schema ``<prefix>_<random>`` on the test server (skips when it is not
    reachable); yields a URL whose search_path points at it, and drops it afterwards."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


SQLITE = pytest.param("sqlite", marks=pytest.mark.integration)
POSTGRES = pytest.param("postgres", marks=[pytest.mark.integration, pytest.mark.postgres])


@contextlib.contextmanager
def store_url(kind: str, tmp_path, db_file: str, schema_prefix: str) -> Iterator[str]:
    """The database URL a parametrised test runs on: ``memory`` (the fakes), ``sqlite`` (a file
    ``var/<db_file>`` under ``tmp_path``) or ``postgres`` (a fresh schema, dropped afterwards)."""
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path}/var/{db_file}"
    else:
        with postgres_schema(schema_prefix) as url:
            yield url
