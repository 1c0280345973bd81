"""Pick an OLAP adapter by name: ``chdb`` (embedded default), ``clickhouse`` (server), ``pinot``."""

from __future__ import annotations

from tracker.settings import OlapSettings

BACKENDS = ("chdb", "clickhouse", "pinot")


def open_store(settings: OlapSettings):
    """The store the settings name (the writer's and the query API's settings are one)."""
    return make_store(settings.olap_backend, settings.olap_dsn, settings.olap_database, settings.pinot_table)


def make_store(backend: str, dsn: str, database: str = "tessera", pinot_table: str = "tessera_events"):
    """A ClickHouseStore (sink and source) for chdb/clickhouse, a PinotSource for pinot."""
    if backend == "chdb":
        if not dsn.startswith("chdb://"):
            raise ValueError(f"the chdb backend needs a chdb:///abs/path DSN, not {dsn.split('@')[-1]!r}")
        from tracker.olap.clickhouse import CHDB_OPTIONS, ClickHouseStore

        return ClickHouseStore.connect(dsn, database, chdb_options=CHDB_OPTIONS)
    if backend == "clickhouse":
        if not dsn.startswith(("http://", "https://", "clickhouse://", "clickhouses://")):
            raise ValueError("the clickhouse backend needs an http(s):// DSN")
        from tracker.olap.clickhouse import ClickHouseStore

        return ClickHouseStore.connect(dsn, database)
    if backend == "pinot":
        from tracker.olap.pinot import PinotSource

        return PinotSource.connect(dsn, pinot_table)
    raise ValueError(f"unknown OLAP backend {backend!r}; choose one of {', '.join(BACKENDS)}")
