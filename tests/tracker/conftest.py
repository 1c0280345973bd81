"""chDB for the tracker's tests (OLAP, query, writer): one engine per pytest process
(chDB allows one path per process), a fresh database per test."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

CHDB_DIR = Path(tempfile.gettempdir()) / f"tessera-test-chdb-{os.getpid()}"
atexit.register(shutil.rmtree, CHDB_DIR, True)  # after every client of this process closed


@pytest.fixture(scope="session")
def chdb_client():
    import clickhouse_connect

    client = clickhouse_connect.get_client(dsn=f"chdb:///{CHDB_DIR}")
    yield client
    client.close()


@pytest.fixture
def pooled(chdb_client):
    """A store with 4 read connections of its own, beside the session's client (its writer), as
    the writer opens it: its reads run side by side."""
    import clickhouse_connect

    from tracker.olap.clickhouse import ClickHouseStore

    readers = [clickhouse_connect.get_client(dsn=f"chdb://{chdb_client.path}") for _ in range(4)]
    store = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}", readers)
    store.migrate()
    yield store
    store.reads.close()
    chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")


@pytest.fixture
def chdb_store(chdb_client):
    from tracker.olap.clickhouse import ClickHouseStore

    store = ClickHouseStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}")
    store.migrate()
    yield store
    chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")
