import typing

from tracker.event import Column, TrackingEvent
from tracker.olap import schema


def test_columns_follow_the_event_model_in_order():
    cols = schema.event_columns()
    assert [c.name for c in cols] == list(TrackingEvent.__struct_fields__)
    hints = typing.get_type_hints(TrackingEvent, include_extras=True)
    for c in cols:
        marker = next(m for m in hints[c.name].__metadata__ if isinstance(m, Column))
        assert (c.type, c.codec) == (marker.clickhouse, marker.codec)


def test_a_field_without_marker_is_refused():
    import msgspec
    import pytest

    class Bad(msgspec.Struct):
        x: int

    with pytest.raises(TypeError, match="no Column marker"):
        schema.event_columns(Bad)


def test_table_adds_stream_coordinates():
    names = [c.name for c in schema.table_columns()]
    assert names[-4:] == ["_topic", "_partition", "_offset", "_batch"]


def test_events_ddl_is_a_deduplicating_replacing_table():
    ddl = schema.events_table("db", ttl_days=30)
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS db.events")
    assert "`ts` DateTime64(3, 'UTC') CODEC(Delta, ZSTD)" in ddl
    assert "`props` Map(String, String)" in ddl
    assert "ENGINE = ReplacingMergeTree" in ddl
    assert "PARTITION BY toYYYYMM(ts)" in ddl
    assert "ORDER BY (site, toStartOfMinute(ts), event_id)" in ddl
    assert "TTL toDateTime(ts) + INTERVAL 30 DAY" in ddl
    assert "non_replicated_deduplication_window" in ddl
    assert "TTL" not in schema.events_table("db", ttl_days=0)


def test_rollups_are_aggregating_tables_fed_by_views():
    table, view = schema.rollup_statements("db", "site_minute")
    assert "AggregatingMergeTree" in table and "uniqCombined(12)" in table
    assert "non_replicated_deduplication_window" in table  # dedup reaches the views' targets
    assert view.startswith("CREATE MATERIALIZED VIEW IF NOT EXISTS db.site_minute_mv TO db.site_minute")
    assert "uniqCombinedStateIf(12)(visitor" in view
    _, pages = schema.rollup_statements("db", "page_minute")  # migration 3, as it was
    assert "GROUP BY site, minute, path" in pages
    table, view, _, _, backfill, *drops = schema.dim_minute_statements("db")  # migration 13: one table for both
    assert "ORDER BY (site, dim, minute, value)" in table and "ARRAY JOIN [1, 2] AS d" in view
    assert "GROUP BY site, minute, dim, value" in view and "FROM db.page_minute" in backfill
    assert drops[-1] == "DROP TABLE IF EXISTS db.referrer_minute SYNC"
