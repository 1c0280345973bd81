"""Crash repair of the rollups on real chDB.

The crash leaves a rollup without a block's part while its deduplication record stays
(see ``tracker.olap.repair``).  Deleting a rollup's rows with a mutation leaves exactly
that state: the rows are gone, the record is not, and a replay of the block is dropped.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tracker.event import TrackingEvent
from tracker.olap.port import StagedBatch
from tracker.olap.repair import check
from tracker.olap.schema import ROLLUP_TABLES

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ROLLUPS = {r.name: r for r in ROLLUP_TABLES}


def batch(n, start=0, **kw) -> StagedBatch:
    b = StagedBatch()
    for i in range(start, start + n):
        ts = T0 + timedelta(seconds=i * 13)
        b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="s",
                               path=f"/p{i % 3}", visitor=f"{i % 7:016x}", referrer_host=f"r{i % 2}", **kw),
                 "tessera.events", 0, i)
    return b


def total(store, table, column="views"):
    return store.client.query(f"SELECT sum({column}) FROM {store.db}.{table}").result_rows[0][0]


def lose_block(store, table):
    """The crash's state: the table's rows gone, its deduplication record kept."""
    store.client.command(f"ALTER TABLE {store.db}.{table} DELETE WHERE 1", settings={"mutations_sync": 2})


def test_a_replayed_block_a_rollup_dropped_is_restored_once(chdb_store):
    first, second = batch(40), batch(25, start=40)
    chdb_store.insert(first, "tessera.events/0/0-39")
    lose_block(chdb_store, "breakdown_hour")
    lose_block(chdb_store, "dim_minute")
    chdb_store.insert(second, "tessera.events/0/40-64")
    chdb_store.insert(first, "tessera.events/0/0-39")  # the replay: dropped as a duplicate by every table
    assert total(chdb_store, "site_hour") == 25 and total(chdb_store, "dim_minute") == 3 * 25  # site, page, referrer

    repaired = chdb_store.repair_replayed(["tessera.events/0/0-39", "tessera.events/0/40-64"])

    assert sorted(repaired) == [("breakdown_hour", "tessera.events/0/0-39"), ("dim_minute", "tessera.events/0/0-39")]
    for table, rows_an_event in (("site_minute", 1), ("dim_minute", 3), ("site_hour", 1), ("breakdown_hour", 23)):
        assert total(chdb_store, table) == 65 * rows_an_event, table
    assert total(chdb_store, "site_minute", "events") == 65
    visitors = chdb_store.client.query(
        f"SELECT uniqCombinedMerge(12)(visitors) FROM {chdb_store.db}.site_hour").result_rows[0][0]
    assert visitors == 7
    assert chdb_store.repair_replayed(["tessera.events/0/0-39"]) == []  # present now: nothing twice


def test_a_block_counting_no_views_is_empty_to_view_rollups_but_checked_by_events(chdb_store):
    bots = batch(10, is_bot=True)
    chdb_store.insert(bots, "tessera.events/0/0-9")
    assert check(chdb_store.client, chdb_store.db, ROLLUPS["breakdown_hour"], "tessera.events/0/0-9") == "empty"
    assert check(chdb_store.client, chdb_store.db, ROLLUPS["dim_minute"], "tessera.events/0/0-9") == "present"
    lose_block(chdb_store, "dim_minute")
    assert check(chdb_store.client, chdb_store.db, ROLLUPS["dim_minute"], "tessera.events/0/0-9") == "lacking"
    assert chdb_store.repair_replayed(["tessera.events/0/0-9"]) == [("dim_minute", "tessera.events/0/0-9")]
    assert total(chdb_store, "site_minute", "events") == 10 and total(chdb_store, "site_minute") == 0
    assert total(chdb_store, "dim_minute", "events") == 10  # a bot's is the site's row only


def test_counts_that_fit_neither_story_are_left_alone(chdb_store):
    chdb_store.insert(batch(20), "tessera.events/0/0-19")
    chdb_store.client.command(  # a stray extra row, as another writer's block in flight would look
        f"INSERT INTO {chdb_store.db}.breakdown_hour (site, hour, filter_dim, filter_value, dim, value, views, visitors) "
        "SELECT 's', toDateTime('2026-11-22 10:00:00', 'UTC'), '', '', '', '', 1, "
        "uniqCombinedStateIf(12)(toFixedString('x', 16), 1)")  # a site row
    assert check(chdb_store.client, chdb_store.db, ROLLUPS["breakdown_hour"], "tessera.events/0/0-19") == "unclear"
    assert ("breakdown_hour", "tessera.events/0/0-19") not in chdb_store.repair_replayed(["tessera.events/0/0-19"])


def test_other_blocks_still_to_replay_explain_the_rest_of_a_deficit(chdb_store):
    a, b, c = batch(30), batch(20, start=30), batch(10, start=50)
    chdb_store.insert(a, "tessera.events/0/0-29")
    chdb_store.insert(c, "tessera.events/1/50-59")
    lose_block(chdb_store, "breakdown_hour")  # a and c gone from the hours, their records kept
    chdb_store.insert(b, "tessera.events/0/30-49")
    chdb_store.client.command(  # b's events part landed but its rollup parts did not (killed mid-insert)
        f"ALTER TABLE {chdb_store.db}.dim_minute DELETE WHERE 1", settings={"mutations_sync": 2})
    chdb_store.insert(a, "tessera.events/0/0-29")  # this flush replays a only

    repaired = chdb_store.repair_replayed(["tessera.events/0/0-29"],
                                          pending=["tessera.events/0/30-49", "tessera.events/1/50-59"])

    assert ("breakdown_hour", "tessera.events/0/0-29") in repaired
    assert all(token == "tessera.events/0/0-29" for _, token in repaired)  # c waits for its own replay
    assert total(chdb_store, "site_hour") == 20 + 30  # b (inserted after the loss) and a; c still to come
    repaired = chdb_store.repair_replayed(["tessera.events/1/50-59"])
    assert ("breakdown_hour", "tessera.events/1/50-59") in repaired and total(chdb_store, "site_hour") == 60


def test_a_block_the_events_table_dropped_is_restored_without_feeding_the_views(chdb_store):
    block = batch(30)
    chdb_store.insert(block, "tessera.events/2/0-29")
    chdb_store.client.command(f"ALTER TABLE {chdb_store.db}.events DELETE WHERE 1", settings={"mutations_sync": 2})
    chdb_store.insert(block, "tessera.events/2/0-29")  # the restarted writer's first block: dropped by events
    assert total(chdb_store, "site_minute", "events") == 30
    assert chdb_store.client.query(f"SELECT count() FROM {chdb_store.db}.events").result_rows[0][0] == 0

    assert chdb_store.restore_if_dropped(block, "tessera.events/2/0-29") is True

    rows = chdb_store.client.query(
        f"SELECT count(), uniqExact(event_id), any(_batch) FROM {chdb_store.db}.events").result_rows[0]
    assert rows == (30, 30, "tessera.events/2/0-29")
    for table, rows_an_event in (("site_minute", 1), ("dim_minute", 3), ("site_hour", 1), ("breakdown_hour", 23)):
        assert total(chdb_store, table) == 30 * rows_an_event, table  # the views were not fed a second time
    assert chdb_store.restore_if_dropped(block, "tessera.events/2/0-29") is False
    assert chdb_store.repair_replayed(["tessera.events/2/0-29"]) == []
    tables = chdb_store.client.query("SELECT name FROM system.tables WHERE database = {db:String}",
                                     parameters={"db": chdb_store.db}).result_rows
    assert not [t for (t,) in tables if t.startswith("events_restore")]


def test_the_breakdown_rollup_is_repaired_like_the_others(chdb_store):
    """breakdown_hour's keys come from an ARRAY JOIN of each event (23 rows an event: 22 breakdown
    rows and the site's): repair counts and refills it through the same join."""
    first, second = batch(40, browser="Firefox", os="Linux"), batch(25, start=40, device="mobile")
    chdb_store.insert(first, "tessera.events/0/0-39")
    lose_block(chdb_store, "breakdown_hour")
    chdb_store.insert(second, "tessera.events/0/40-64")
    chdb_store.insert(first, "tessera.events/0/0-39")  # the replay, dropped as a duplicate
    assert check(chdb_store.client, chdb_store.db, ROLLUPS["breakdown_hour"], "tessera.events/0/0-39") == "lacking"

    repaired = chdb_store.repair_replayed(["tessera.events/0/0-39", "tessera.events/0/40-64"])

    assert repaired == [("breakdown_hour", "tessera.events/0/0-39")]
    db = chdb_store.db
    per_dim = dict(chdb_store.client.query(
        f"SELECT concat(filter_dim, '>', dim), sum(views) FROM {db}.breakdown_hour GROUP BY 1").result_rows)
    assert len(per_dim) == 23 and set(per_dim.values()) == {65}
    by_browser = chdb_store.client.query(
        f"SELECT value, sum(views) FROM {db}.breakdown_hour WHERE dim = 'browser' AND filter_dim = '' "
        "GROUP BY value ORDER BY value").result_rows
    assert by_browser == [("", 25), ("Firefox", 40)]
    assert chdb_store.repair_replayed(["tessera.events/0/0-39"]) == []


def test_repairing_the_hour_breakdowns_does_not_feed_the_spans_again(chdb_store):
    """breakdown_span is filled by a view on breakdown_hour: an hour repair goes through a staging
    table and ATTACH PARTITION, so a span rollup that kept the block does not count it twice."""
    first, second = batch(40, browser="Firefox"), batch(25, start=40)
    chdb_store.insert(first, "tessera.events/0/0-39")
    lose_block(chdb_store, "breakdown_hour")  # the span rows stay
    chdb_store.insert(second, "tessera.events/0/40-64")
    chdb_store.insert(first, "tessera.events/0/0-39")

    assert chdb_store.repair_replayed(["tessera.events/0/0-39"]) == [("breakdown_hour", "tessera.events/0/0-39")]
    for table, spans in (("breakdown_hour", 1), ("breakdown_span", 9)):  # an hour, its four hours, six 12 hours, its day
        views = chdb_store.client.query(f"SELECT sum(views) FROM {chdb_store.db}.{table} "
                                        "WHERE dim = 'browser' AND filter_dim = ''").result_rows[0][0]
        assert views == 65 * spans, table


def test_hour_and_span_breakdowns_that_both_lost_a_block_get_it_once_each(chdb_store):
    block = batch(40)
    chdb_store.insert(block, "tessera.events/0/0-39")
    lose_block(chdb_store, "breakdown_hour")
    lose_block(chdb_store, "breakdown_span")
    chdb_store.insert(block, "tessera.events/0/0-39")
    assert sorted(chdb_store.repair_replayed(["tessera.events/0/0-39"])) == [
        ("breakdown_hour", "tessera.events/0/0-39"), ("breakdown_span", "tessera.events/0/0-39")]
    assert total(chdb_store, "breakdown_hour") == 23 * 40 and total(chdb_store, "breakdown_span") == 9 * 23 * 40
    spans = chdb_store.client.query(f"SELECT span, sum(views), uniqCombinedMerge(12)(visitors) FROM {chdb_store.db}"
                                    ".breakdown_span WHERE dim = 'os' AND filter_dim = '' GROUP BY span ORDER BY span")
    assert spans.result_rows == [(3600, 40, 7), (14400, 40, 7), (43200, 6 * 40, 7), (86400, 40, 7)]


def test_a_deficit_two_blocks_of_one_size_could_explain_is_given_to_the_one_the_rollup_lacks(chdb_store):
    """One key, two blocks of 30 rows: counts alone cannot tell them apart.  The hours lack x (a block
    still to replay, on another partition, with older offsets), not g (replayed now): g must not be
    inserted again (it was, by count and newest offset first: 6,150 of 6,000 in test_writer_kill9)."""
    x, g = batch(30), batch(30, start=100)
    chdb_store.insert(x, "tessera.events/1/0-29")
    lose_block(chdb_store, "breakdown_hour")
    chdb_store.insert(g, "tessera.events/0/100-129")
    chdb_store.insert(g, "tessera.events/0/100-129")  # the replay: dropped by every table

    repaired = chdb_store.repair_replayed(["tessera.events/0/100-129"], pending=["tessera.events/1/0-29"])

    assert repaired == []
    assert total(chdb_store, "site_hour") == 30
    assert chdb_store.repair_replayed(["tessera.events/1/0-29"]) == [("breakdown_hour", "tessera.events/1/0-29")]
    assert total(chdb_store, "site_hour") == 60


def test_a_replayed_block_a_rollup_holds_twice_is_taken_back_once(chdb_store):
    """kill -9 can keep a view's part and lose its deduplication record: the replay goes in again.
    The block sums say which block it holds twice; one copy's counts are taken back."""
    rollup = ROLLUPS["dim_minute"]
    a, b = batch(30), batch(30, start=100)
    chdb_store.insert(a, "tessera.events/0/0-29")
    chdb_store.insert(b, "tessera.events/1/0-29")
    chdb_store.client.command(f"INSERT INTO {chdb_store.db}.dim_minute "
                              f"{rollup.select(chdb_store.db, '_batch = {t:String}')}",
                              parameters={"t": "tessera.events/1/0-29"})  # b went in twice
    assert total(chdb_store, "site_minute", "events") == 90
    assert check(chdb_store.client, chdb_store.db, rollup, "tessera.events/1/0-29") == "twice"

    repaired = chdb_store.repair_replayed(["tessera.events/0/0-29", "tessera.events/1/0-29"])

    assert repaired == [("dim_minute", "tessera.events/1/0-29")]
    assert total(chdb_store, "site_minute", "events") == 60 and total(chdb_store, "site_minute") == 60
    visitors = chdb_store.client.query(
        f"SELECT uniqCombinedMerge(12)(visitors) FROM {chdb_store.db}.site_minute").result_rows[0][0]
    assert visitors == 7
    assert chdb_store.repair_replayed(["tessera.events/1/0-29"]) == []


def test_the_minute_series_adds_a_taken_back_copy_up_right(chdb_store):
    """The minute series adds ``site_minute``'s rows up on the client: a row of negated counts (two's
    complement) must subtract there as it does in a SQL sum."""
    from tracker.model import Range, SeriesQuery

    rollup = ROLLUPS["dim_minute"]
    chdb_store.insert(batch(30), "tessera.events/0/0-29")
    chdb_store.client.command(f"INSERT INTO {chdb_store.db}.dim_minute "
                              f"{rollup.select(chdb_store.db, '_batch = {t:String}')}",
                              parameters={"t": "tessera.events/0/0-29"})
    chdb_store.repair_replayed(["tessera.events/0/0-29"])
    series = chdb_store.series(SeriesQuery(Range("s", T0, T0 + timedelta(hours=1)), "1m"))
    assert sum(b.views for b in series) == 30 and all(0 < b.views < 100 for b in series)
