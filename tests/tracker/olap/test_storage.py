"""Storage settings on every MergeTree table (real chDB): applied by migrate, to tables created
later too, idempotent; new parts are packed (one file) and still deduplicate and read back."""

import os
import uuid
from datetime import UTC, datetime

import pytest

from tracker.event import TrackingEvent
from tracker.olap import storage
from tracker.olap.port import StagedBatch

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def batch(n, start=0) -> StagedBatch:
    b = StagedBatch()
    for i in range(start, start + n):
        e = TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=T0, received_at=T0, site="s", path=f"/p{i % 3}",
                          visitor=f"{i % 4:016x}")
        b.append(e, "tessera.events", 0, i)
    return b


def merge_tree_tables(store) -> dict[str, str]:
    return dict(store.client.query("SELECT name, engine_full FROM system.tables WHERE database = {db:String} "
                                   "AND engine LIKE '%MergeTree'", parameters={"db": store.db}).result_rows)


def test_every_merge_tree_table_gets_the_settings_and_migrate_is_idempotent(chdb_store):
    tables = merge_tree_tables(chdb_store)
    assert {"events", "dim_minute", "breakdown_hour", "site_minute_closed"} <= set(tables)
    for name, engine in tables.items():
        assert "min_bytes_for_full_part_storage = 10485760" in engine, name
    assert storage.statements(chdb_store.client, chdb_store.db) == []
    assert chdb_store.migrate() == []


def test_a_table_created_after_the_migrations_is_covered(chdb_store):
    chdb_store.client.command(f"CREATE TABLE {chdb_store.db}.later (x UInt8) ENGINE = MergeTree ORDER BY x")
    chdb_store.client.command(f"CREATE TABLE {chdb_store.db}.not_merge_tree (x UInt8) ENGINE = Memory")
    assert storage.statements(chdb_store.client, chdb_store.db) == [
        f"ALTER TABLE {chdb_store.db}.`later` MODIFY SETTING min_bytes_for_full_part_storage = 10485760"]
    chdb_store.migrate()
    assert "min_bytes_for_full_part_storage = 10485760" in merge_tree_tables(chdb_store)["later"]


def test_a_setting_the_engine_does_not_know_is_skipped(chdb_store):
    assert storage.statements(chdb_store.client, chdb_store.db, {"no_such_merge_tree_setting": 1}) == []


def test_small_parts_are_one_file_and_still_deduplicate(chdb_store):
    c, db = chdb_store.client, chdb_store.db
    chdb_store.insert(batch(5), "tessera.events/0/0-4")
    chdb_store.insert(batch(5), "tessera.events/0/0-4")  # a replay: dropped by every table
    chdb_store.insert(batch(5, 5), "tessera.events/0/5-9")
    parts = c.query("SELECT table, part_storage_type, path FROM system.parts WHERE database = {db:String} "
                    "AND active AND table != 'schema_migrations'", parameters={"db": db}).result_rows  # written before
    assert {t for t, _, _ in parts} >= {"events", "dim_minute", "breakdown_hour", "breakdown_span"}
    for table, kind, path in parts:
        assert kind == "Packed", table
        assert os.listdir(path) == ["data.packed"], table
    assert c.query(f"SELECT count() FROM {db}.events").result_rows[0][0] == 10
    assert c.query(f"SELECT sum(events), sum(views) FROM {db}.site_minute").result_rows[0] == (10, 10)
    assert c.query(f"SELECT sum(views) FROM {db}.breakdown_span WHERE dim = 'path' AND filter_dim = '' "
                   "AND span = 86400").result_rows[0][0] == 10
    c.command(f"OPTIMIZE TABLE {db}.dim_minute FINAL")  # a merge reads packed parts back (site_minute's rows)
    assert c.query(f"SELECT sum(events), uniqCombinedMerge(12)(visitors) FROM {db}.site_minute").result_rows[0] == (10, 4)
