import pytest

from tracker.olap import migrations


def test_pending_is_ordered_and_skips_applied():
    assert [m.version for m in migrations.pending(set())] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    assert [m.version for m in migrations.pending({1, 3})] == [2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]


def test_versions_are_unique():
    versions = [m.version for m in migrations.MIGRATIONS]
    assert len(versions) == len(set(versions))


def test_every_statement_is_idempotent():
    for m in migrations.MIGRATIONS:
        for statement in m.statements("db", 7):
            # DDL is guarded; a backfill only runs into an empty table; a setting or a view's query is set, not toggled
            assert ("IF NOT EXISTS" in statement or ") = 0" in statement or "MODIFY SETTING" in statement
                    or "MODIFY QUERY" in statement or statement.startswith(("DROP VIEW IF EXISTS", "DROP TABLE IF EXISTS")))


def test_ttl_matching():
    assert migrations.ttl_matches("... TTL toDateTime(ts) + toIntervalDay(7) SETTINGS", 7)
    assert not migrations.ttl_matches("... TTL toDateTime(ts) + toIntervalDay(7) SETTINGS", 8)
    assert migrations.ttl_matches("ReplacingMergeTree ORDER BY x SETTINGS a = 1", 0)


@pytest.mark.integration
def test_migrate_on_chdb_is_idempotent_and_recorded(chdb_store):
    assert chdb_store.migrate() == []  # the fixture already applied everything
    assert chdb_store.applied_versions() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    tables = _tables(chdb_store.client, chdb_store.db)
    assert {"events", "dim_minute", "dim_minute_mv", "breakdown_hour_mv", "schema_migrations"} <= set(tables)
    assert not set(tables) & {"page_minute", "page_minute_mv", "referrer_minute", "referrer_minute_mv"}  # migration 13
    assert not set(tables) & {"site_minute_mv", "site_hour_mv"}  # migration 14: rows of the others, read through views
    assert (tables["site_minute"], tables["site_hour"]) == ("View", "View")


@pytest.mark.integration
def test_ttl_setting_is_applied_and_removed(chdb_store):
    def engine():
        return chdb_store.client.query(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'events'",
            parameters={"db": chdb_store.db}).result_rows[0][0]

    chdb_store.migrate(ttl_days=14)
    assert migrations.ttl_matches(engine(), 14)
    chdb_store.migrate(ttl_days=0)
    assert migrations.ttl_matches(engine(), 0)


@pytest.mark.integration
def test_the_breakdown_rollups_are_backfilled_from_events_stored_before_them(chdb_store):
    import uuid
    from datetime import UTC, datetime, timedelta

    from tracker.event import TrackingEvent
    from tracker.olap.port import StagedBatch

    db, c = chdb_store.db, chdb_store.client
    for table in ("breakdown_span_mv", "breakdown_span", "breakdown_hour_mv", "breakdown_hour"):
        c.command(f"DROP TABLE {db}.{table} SYNC")  # a store as it was before migration 7
    c.command(f"ALTER TABLE {db}.schema_migrations DELETE WHERE version IN (7, 11)", settings={"mutations_sync": 2})
    b = StagedBatch()
    for i in range(30):
        ts = datetime(2026, 11, 22, 10, tzinfo=UTC) + timedelta(minutes=7 * i)
        b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="s", path=f"/p{i % 3}",
                               browser="Firefox", visitor=f"{i % 4:016x}", is_bot=i % 10 == 0), "tessera.events", 0, i)
    chdb_store.insert(b, "before/0")

    assert chdb_store.migrate() == [7, 11]

    rows = c.query(f"SELECT dim, filter_dim, sum(views), uniqCombinedMerge(12)(visitors) FROM {db}.breakdown_hour "
                   "WHERE dim IN ('path', 'browser') GROUP BY dim, filter_dim ORDER BY dim, filter_dim").result_rows
    assert rows == [("browser", "", 27, 4), ("browser", "path", 27, 4), ("browser", "referrer_host", 27, 4),
                    ("path", "", 27, 4), ("path", "referrer_host", 27, 4)]
    spans = c.query(f"SELECT span, count(), sum(views), uniqCombinedMerge(12)(visitors) FROM {db}.breakdown_span "
                    "WHERE dim = 'os' AND filter_dim = '' GROUP BY span ORDER BY span").result_rows
    assert spans == [(3600, 4, 27, 4), (14400, 2, 27, 4), (86400, 1, 27, 4)]  # 10:00-13:23: hours 10-13, blocks 8 and 12
    tables = set(_tables(c, db))
    assert "breakdown_day" not in tables and "breakdown_day_mv" not in tables  # its rows are the day spans
    assert chdb_store.migrate() == []


def test_an_insert_writes_one_part_a_table_and_compact_ones(chdb_store):
    """Every view and part an insert writes costs chDB ~5 ms of CPU (migrations 13 and 14): four
    tables take an insert of events, each in one small compact part."""
    from tests.tracker.olap.test_clickhouse_store import batch

    chdb_store.insert(batch(20), "t")
    types = chdb_store.client.query(
        "SELECT table, groupArray(part_type) FROM system.parts WHERE database = {db:String} AND active "
        "AND table != 'schema_migrations' GROUP BY table ORDER BY table", parameters={"db": chdb_store.db}).result_rows
    assert types == [(t, ["Compact"]) for t in ("breakdown_hour", "breakdown_span", "dim_minute", "events")]


def _varied_events():
    import uuid
    from datetime import UTC, datetime, timedelta

    from tracker.event import TrackingEvent
    from tracker.olap.port import StagedBatch

    b = StagedBatch()
    for i in range(60):
        ts = datetime(2026, 11, 22, 10, tzinfo=UTC) + timedelta(minutes=11 * i)
        b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site=f"s{i % 2}",
                               name="signup" if i % 9 == 0 else "pageview", path=["/", "/a", "/ünï", ""][i % 4],
                               referrer_host=["", "g.com", "x.org"][i % 3], browser=["Firefox", "", "Chrome"][i % 3],
                               os="Linux" if i % 2 else "", device="desktop", utm_source=["", "news"][i % 2],
                               utm_campaign=f"c{i % 5}", visitor=f"{i % 7:016x}", is_bot=i % 10 == 0),
                 "tessera.events", 0, i)
    return b



def _tables(client, db: str) -> dict[str, str]:
    """The database's tables and views: name -> engine."""
    return dict(client.query("SELECT name, engine FROM system.tables WHERE database = {db:String}",
                             parameters={"db": db}).result_rows)


def _halves(events):
    """The first and second half of a batch, as two batches (inserted before and after a migration)."""
    half = len(events) // 2
    first, second = type(events)(), type(events)()
    for i, e in enumerate(events.events):
        (first if i < half else second).append(e, events.topics[i], 0, i)
    return first, second


def _first_half_in(store, token: str = "before/0"):
    """The varied events, their first half inserted (before a migration): (all events, the second half)."""
    events = _varied_events()
    first, second = _halves(events)
    store.insert(first, token)
    return events, second


def _legacy_select(db: str) -> str:
    from tracker.olap import schema

    legacy = schema.Rollup("breakdown_hour", "hour", schema.BREAKDOWN_KEYS, "views", exprs=("b.1", "b.2", "b.3", "b.4"),
                           join=schema.legacy_breakdown_join())
    return legacy.select(db)


def _finalised(client, select: str) -> list[tuple]:
    return client.query(f"SELECT site, hour, filter_dim, filter_value, dim, value, sum(views), "
                        f"uniqCombinedMerge(12)(visitors) FROM ({select}) GROUP BY ALL ORDER BY ALL").result_rows


@pytest.mark.integration
def test_the_breakdown_pairs_as_index_arrays_give_the_rows_the_literal_tuples_gave(chdb_store):
    from tracker.olap import schema

    db, c = chdb_store.db, chdb_store.client
    chdb_store.insert(_varied_events(), "varied/0")
    old = _finalised(c, _legacy_select(db))
    assert len(old) > 100
    assert _finalised(c, schema.BREAKDOWN_HOUR_13.select(db)) == old
    assert _finalised(c, schema.BREAKDOWN_HOUR_13.select(db, "site = 's1'")) == [r for r in old if r[0] == "s1"]
    site_rows = [r for r in _finalised(c, schema.BREAKDOWN_HOUR.select(db)) if r[4] == ""]  # migration 14's 23rd
    assert _finalised(c, f"SELECT * FROM {db}.breakdown_hour WHERE dim != ''") == old  # what the view stored
    assert _finalised(c, f"SELECT * FROM {db}.breakdown_hour WHERE dim = ''") == site_rows
    assert [r[:2] + r[6:] for r in site_rows] == c.query(
        f"SELECT site, toStartOfHour(ts) AS hour, count(), uniqCombined(12)(visitor) FROM {db}.events "
        f"WHERE {schema.COUNTED} GROUP BY ALL ORDER BY ALL").result_rows


@pytest.mark.integration
def test_migration_10_replaces_the_breakdown_view_and_keeps_its_rows(chdb_store):
    db, c = chdb_store.db, chdb_store.client
    c.command(f"ALTER TABLE {db}.breakdown_hour_mv MODIFY QUERY {_legacy_select(db)}")  # as migration 7 left it
    c.command(f"ALTER TABLE {db}.schema_migrations DELETE WHERE version = 10", settings={"mutations_sync": 2})
    events, second = _first_half_in(chdb_store)  # through the old view

    assert chdb_store.migrate() == [10]
    view = c.query("SELECT as_select FROM system.tables WHERE database = {db:String} AND name = 'breakdown_hour_mv'",
                   parameters={"db": db}).result_rows[0][0]
    assert "b_f" in view and "b.1" not in view

    chdb_store.insert(second, "after/0")  # through the new one
    assert _finalised(c, f"SELECT * FROM {db}.breakdown_hour") == _finalised(c, _legacy_select(db))
    days = c.query(f"SELECT sum(views) FROM {db}.breakdown_span WHERE dim = 'os' AND filter_dim = '' "
                   "AND span = 86400").result_rows  # breakdown_day's rows since migration 11
    assert days == [(sum(1 for e in events.events if e.name == "pageview" and not e.is_bot),)]
    assert chdb_store.migrate() == []


@pytest.mark.integration
def test_migration_12_gives_the_stored_rollup_rows_their_block_sums_once(chdb_store):
    """A store from before migration 12 (no ``block_sum``): the migration adds it, and the keys a new
    event can still reach get the sums of what they hold, so a crash repair can match on them."""
    import uuid
    from datetime import UTC, datetime, timedelta

    from tracker.event import TrackingEvent
    from tracker.olap import repair, schema
    from tracker.olap.port import StagedBatch

    db, c = chdb_store.db, chdb_store.client
    back_to_12(chdb_store)
    for r in schema.ROLLUPS_AT_12:  # as migration 11 left them
        view = c.query("SELECT as_select FROM system.tables WHERE database = {db:String} AND name = {n:String}",
                       parameters={"db": db, "n": f"{r.name}_mv"}).result_rows[0][0]
        end = view.index(" AS block_sum")
        c.command(f"ALTER TABLE {db}.{r.name}_mv MODIFY QUERY {view[:view.rindex(', sum', 0, end)]}"
                  f"{view[end + len(' AS block_sum'):]}")
    for r in schema.ROLLUPS_AT_12:
        c.command(f"ALTER TABLE {db}.{r.name} DROP COLUMN block_sum")
    c.command(f"ALTER TABLE {db}.schema_migrations DELETE WHERE version = 12", settings={"mutations_sync": 2})
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    def block(n, start, at):
        b = StagedBatch()
        for i in range(start, start + n):
            ts = at + timedelta(seconds=i * 7)
            b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="s",
                                   path=f"/p{i % 3}", browser="Firefox", visitor=f"{i % 5:016x}", is_bot=i % 9 == 0),
                     "tessera.events", 0, i)
        return b

    chdb_store.insert(block(30, 0, now - timedelta(hours=2)), "tessera.events/0/0-29")
    chdb_store.insert(block(20, 30, now - timedelta(days=3)), "tessera.events/0/30-49")  # too old to be reached

    for statement in schema.block_sum_statements(db):  # migration 12
        c.command(statement)
    for r in schema.ROLLUPS_AT_12:
        assert repair.misfit(c, db, r, ["tessera.events/0/0-29"]) == (set(), set()), r.name
    views = c.query(f"SELECT sum(views) FROM {db}.site_hour").result_rows[0][0]
    assert views == sum(1 for i in range(50) if i % 9)  # the corrections count nothing

    for statement in schema.block_sum_statements(db):  # a crash before version 12 was recorded: run again
        c.command(statement)
    chdb_store.insert(block(25, 50, now - timedelta(hours=2)), "tessera.events/0/50-74")
    for r in schema.ROLLUPS_AT_12:
        assert repair.misfit(c, db, r, ["tessera.events/0/0-29", "tessera.events/0/50-74"]) == (set(), set()), r.name
    assert chdb_store.migrate() == [12, 13, 14, 15]  # 12 a third time (nothing more), then 13-15 move the sums along
    for r in schema.ROLLUP_TABLES:
        assert repair.misfit(c, db, r, ["tessera.events/0/0-29", "tessera.events/0/50-74"]) == (set(), set()), r.name
    assert chdb_store.migrate() == []


def back_to_14(store) -> None:
    """The store as migration 14 left it: ``breakdown_span``'s view writing the spans of ``SPANS_11``
    and no 12-hour rows, version 15 not recorded."""
    from tracker.olap import schema

    db, c = store.db, store.client
    c.command(f"ALTER TABLE {db}.breakdown_span_mv MODIFY QUERY {schema._span_select(db)}")
    c.command(f"ALTER TABLE {db}.breakdown_span DELETE WHERE span NOT IN {schema.SPANS_11}", settings={"mutations_sync": 2})
    c.command(f"ALTER TABLE {db}.schema_migrations DELETE WHERE version = 15", settings={"mutations_sync": 2})


def back_to_13(store) -> None:
    """The store as migration 13 left it: ``site_minute`` and ``site_hour`` tables with their views,
    no site rows in ``dim_minute`` and ``breakdown_hour``, version 14 not recorded (nothing is stored yet)."""
    from tracker.olap import schema

    back_to_14(store)
    db, c = store.db, store.client
    for name in ("site_minute", "site_hour"):
        c.command(f"DROP VIEW {db}.{name} SYNC")
    c.command(f"ALTER TABLE {db}.dim_minute_mv MODIFY QUERY {schema.DIM_MINUTE_13.select(db)}")
    c.command(f"ALTER TABLE {db}.breakdown_hour_mv MODIFY QUERY {schema.BREAKDOWN_HOUR_13.select(db)}")
    c.command(f"ALTER TABLE {db}.dim_minute DROP COLUMN received_max, DROP COLUMN events")
    for statement in [*schema.rollup_statements(db, "site_minute"), *schema.hourly_statements(db)[:2],
                      *schema.wide_part_statements(db)]:
        c.command(statement)
    c.command(f"ALTER TABLE {db}.schema_migrations DELETE WHERE version = 14", settings={"mutations_sync": 2})


def back_to_12(store) -> None:
    """The store as migration 12 left it: ``page_minute`` and ``referrer_minute`` with their views, no
    ``dim_minute``, versions 13 and 14 not recorded (nothing is stored yet)."""
    from tracker.olap import schema

    back_to_13(store)
    db, c = store.db, store.client
    c.command(f"DROP VIEW {db}.dim_minute_mv SYNC")
    c.command(f"DROP TABLE {db}.dim_minute SYNC")
    for name in ("page_minute", "referrer_minute"):
        for statement in schema.rollup_statements(db, name):
            c.command(statement)
    c.command(f"ALTER TABLE {db}.schema_migrations DELETE WHERE version = 13", settings={"mutations_sync": 2})


def _by_dimension(client, db: str, table: str, dim: str) -> list[tuple]:
    """A minute rollup's finalised rows of one dimension: (site, minute, value, views, visitors)."""
    if table == "dim_minute":
        source, value, where = f"{db}.dim_minute", "value", f"WHERE dim = '{dim}'"
    else:
        source, value, where = f"{db}.{table}", dim, ""
    return client.query(f"SELECT site, minute, {value}, sum(views) AS v, uniqCombinedMerge(12)(visitors) FROM {source} "
                        f"{where} GROUP BY site, minute, {value} HAVING v > 0 ORDER BY ALL").result_rows


@pytest.mark.integration
def test_migration_13_moves_the_page_and_referrer_minutes_into_one_table(chdb_store):
    from tracker.olap import schema

    db, c = chdb_store.db, chdb_store.client
    back_to_12(chdb_store)
    _, second = _first_half_in(chdb_store)  # through page_minute_mv and referrer_minute_mv
    pages, referrers = _by_dimension(c, db, "page_minute", "path"), _by_dimension(c, db, "referrer_minute", "referrer_host")
    assert len(pages) > 10 and len(referrers) > 10

    assert chdb_store.migrate() == [13, 14, 15]
    tables = set(_tables(c, db))
    assert not tables & {"page_minute", "page_minute_mv", "referrer_minute", "referrer_minute_mv"}
    assert _by_dimension(c, db, "dim_minute", "path") == pages
    assert _by_dimension(c, db, "dim_minute", "referrer_host") == referrers

    chdb_store.insert(second, "after/0")  # through dim_minute_mv: the same rows as the view's query over all events
    rows = f"SELECT * FROM ({schema.DIM_MINUTE_13.select(db)})"
    for dim in ("path", "referrer_host"):
        assert _by_dimension(c, db, "dim_minute", dim) == c.query(
            f"SELECT site, minute, value, sum(views) AS v, uniqCombinedMerge(12)(visitors) FROM ({rows}) "
            f"WHERE dim = '{dim}' GROUP BY site, minute, value HAVING v > 0 ORDER BY ALL").result_rows
    stored = [_by_dimension(c, db, "dim_minute", dim) for dim in ("path", "referrer_host")]
    for statement in schema.dim_minute_statements(db):  # a crash before version 13 was recorded: nothing twice
        c.command(statement)
    assert [_by_dimension(c, db, "dim_minute", dim) for dim in ("path", "referrer_host")] == stored
    tables = set(_tables(c, db))
    assert not tables & {"page_minute", "page_minute_mv", "referrer_minute", "referrer_minute_mv"}
    assert chdb_store.migrate() == []


def _site_rows(client, db: str) -> tuple[list[tuple], list[tuple]]:
    """The site rollups, finalised: per minute (site, minute, views, events, received_max, visitors, block_sum)
    and per hour (site, hour, views, visitors, block_sum)."""
    minutes = client.query(f"SELECT site, minute, sum(views) AS v, sum(events), max(received_max), "
                           f"uniqCombinedMerge(12)(visitors), sum(block_sum) FROM {db}.site_minute "
                           "GROUP BY site, minute ORDER BY ALL").result_rows
    hours = client.query(f"SELECT site, hour, sum(views) AS v, uniqCombinedMerge(12)(visitors), sum(block_sum) "
                         f"FROM {db}.site_hour GROUP BY site, hour HAVING v > 0 ORDER BY ALL").result_rows
    return minutes, hours


def _site_rows_from_events(client, db: str) -> tuple[list[tuple], list[tuple]]:
    from tracker.olap import schema

    counted, block = schema.COUNTED, schema.BLOCK_HASH
    minutes = client.query(f"SELECT site, toStartOfMinute(ts) AS minute, countIf({counted}), count(), max(received_at), "
                           f"uniqCombinedIf(12)(visitor, {counted}), sum({block}) FROM {db}.events "
                           "GROUP BY site, minute ORDER BY ALL").result_rows
    hours = client.query(f"SELECT site, toStartOfHour(ts) AS hour, count(), uniqCombined(12)(visitor), sum({block}) "
                         f"FROM {db}.events WHERE {counted} GROUP BY site, hour ORDER BY ALL").result_rows
    return minutes, hours


@pytest.mark.integration
def test_migration_14_makes_the_site_rollups_rows_of_the_minute_and_hour_rollups(chdb_store):
    from tracker.olap import repair, schema

    db, c = chdb_store.db, chdb_store.client
    back_to_13(chdb_store)
    _, second = _first_half_in(chdb_store)  # through site_minute_mv and site_hour_mv
    before = _site_rows(c, db)
    assert len(before[0]) > 10 and len(before[1]) > 5 and before == _site_rows_from_events(c, db)

    assert chdb_store.migrate() == [14, 15]
    engines = _tables(c, db)
    assert (engines["site_minute"], engines["site_hour"]) == ("View", "View")
    assert not set(engines) & {"site_minute_mv", "site_hour_mv"}
    assert _site_rows(c, db) == before  # the same rows, read through the views
    for r in schema.ROLLUP_TABLES:  # the block sums came along: a crash repair still matches
        assert repair.misfit(c, db, r, ["before/0"]) == (set(), set()), r.name
    days = c.query(f"SELECT site, sum(views) FROM {db}.breakdown_span WHERE dim = '' AND span = 86400 "
                   "GROUP BY site ORDER BY site").result_rows  # the copied hours reached the spans
    assert days == c.query(f"SELECT site, count() FROM {db}.events WHERE {schema.COUNTED} GROUP BY site "
                           "ORDER BY site").result_rows

    chdb_store.insert(second, "after/0")  # through dim_minute_mv and breakdown_hour_mv
    after = _site_rows(c, db)
    assert after == _site_rows_from_events(c, db) and after != before
    for r in schema.ROLLUP_TABLES:
        assert repair.misfit(c, db, r, ["before/0", "after/0"]) == (set(), set()), r.name
    for statement in schema.site_row_statements(db):  # a crash before version 14 was recorded: nothing twice
        c.command(statement)
    assert _site_rows(c, db) == after
    assert chdb_store.migrate() == []


def _spans(client, select: str) -> list[tuple]:
    """Span rows, finalised: (site, span, start, filter_dim, filter_value, dim, value, views, visitors, block_sum)."""
    return client.query(f"SELECT site, span, start, filter_dim, filter_value, dim, value, sum(views) AS v, "
                        f"uniqCombinedMerge(12)(visitors), sum(block_sum) FROM ({select}) GROUP BY ALL HAVING v > 0 "
                        "ORDER BY ALL").result_rows


@pytest.mark.integration
def test_migration_15_adds_the_twelve_hour_spans_to_the_stored_hours_once(chdb_store):
    """A store from before migration 15 (spans of an hour, four hours and a day): the migration merges
    the stored hours up to every 12-hour span that starts on an even hour, and its view writes them
    from then on; the rows equal the view's query over the events, and a crash repair still matches."""
    from tracker.olap import repair, schema

    db, c = chdb_store.db, chdb_store.client
    back_to_14(chdb_store)
    _, second = _first_half_in(chdb_store)  # through the view of migration 14
    before = _spans(c, f"SELECT * FROM {db}.breakdown_span")
    assert {r[1] for r in before} == set(schema.SPANS_11)

    assert chdb_store.migrate() == [15]
    after = _spans(c, f"SELECT * FROM {db}.breakdown_span")
    assert [r for r in after if r[1] in schema.SPANS_11] == before  # the rows stored before stay as they were
    assert after == _spans(c, schema.BREAKDOWN_SPAN.select(db))  # and the new spans are the events' own
    halves = [r for r in after if r[1] == 43200]
    assert halves and {r[2].hour % 2 for r in halves} == {0}
    hour_views = c.query(f"SELECT sum(views) FROM {db}.breakdown_hour").result_rows[0][0]
    assert sum(r[7] for r in halves) == 6 * hour_views  # an hour is in six of them
    for r in schema.ROLLUP_TABLES:
        assert repair.misfit(c, db, r, ["before/0"]) == (set(), set()), r.name

    chdb_store.insert(second, "after/0")  # through the new view
    stored = _spans(c, f"SELECT * FROM {db}.breakdown_span")
    assert stored == _spans(c, schema.BREAKDOWN_SPAN.select(db)) and stored != after
    for r in schema.ROLLUP_TABLES:
        assert repair.misfit(c, db, r, ["before/0", "after/0"]) == (set(), set()), r.name
    for statement in schema.window_statements(db):  # a crash before version 15 was recorded: nothing twice
        c.command(statement)
    assert _spans(c, f"SELECT * FROM {db}.breakdown_span") == stored
    assert chdb_store.migrate() == []
