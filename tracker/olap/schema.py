"""The OLAP schema, derived from ``TrackingEvent``'s ``Column`` markers.

The events table holds every field of the event plus its stream coordinates
(``_topic``, ``_partition``, ``_offset``), so a replay can be recognised; the
rollups are AggregatingMergeTree tables filled by materialized views.
Every statement is idempotent (``IF NOT EXISTS``) and names its database.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from tracker.event import Column, TrackingEvent

DEDUP_WINDOW = 10_000  # blocks remembered per table for insert_deduplication_token
COUNTED = "name = 'pageview' AND NOT is_bot"  # what a rollup counts as a view
# Every rollup row also sums the hash of each counted event's block (``_batch``): a checksum of which
# blocks it holds, so crash repair can tell two blocks of one size on one key apart (tracker.olap.repair).
# A UInt64 sum wraps, in ClickHouse as in the repair's arithmetic (mod 2**64).
BLOCK_SUM = "block_sum"
BLOCK_SUM_DDL = f"{BLOCK_SUM} SimpleAggregateFunction(sum, UInt64)"
BLOCK_HASH = "cityHash64(_batch)"  # _batch is LowCardinality: hashed once per block, not per row


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    type: str
    codec: str | None = None

    def ddl(self) -> str:
        codec = f" CODEC({self.codec})" if self.codec else ""
        return f"`{self.name}` {self.type}{codec}"


COORDINATES = (
    ColumnSpec("_topic", "LowCardinality(String)"),
    ColumnSpec("_partition", "UInt32"),
    ColumnSpec("_offset", "UInt64", "Delta, ZSTD"),
    ColumnSpec("_batch", "LowCardinality(String)"),  # the insert's dedup token: topic/partition/first-last
)


def event_columns(model: type = TrackingEvent) -> list[ColumnSpec]:
    """One ColumnSpec per field that carries a ``Column`` marker, in declaration order."""
    hints = typing.get_type_hints(model, include_extras=True)
    columns = []
    for name in model.__struct_fields__:
        marker = next((m for m in getattr(hints[name], "__metadata__", ()) if isinstance(m, Column)), None)
        if marker is None:
            raise TypeError(f"{model.__name__}.{name} has no Column marker")
        columns.append(ColumnSpec(name, marker.clickhouse, marker.codec))
    return columns


def table_columns(model: type = TrackingEvent) -> list[ColumnSpec]:
    """The events table's columns: the event's, then the stream coordinates."""
    return [*event_columns(model), *COORDINATES]


def ttl_clause(ttl_days: int) -> str:
    return f"TTL toDateTime(ts) + INTERVAL {int(ttl_days)} DAY" if ttl_days > 0 else ""


def events_table(db: str, ttl_days: int = 0) -> str:
    body = ",\n  ".join(c.ddl() for c in table_columns())
    return (
        f"CREATE TABLE IF NOT EXISTS {db}.events (\n  {body},\n"
        "  INDEX idx_offset _offset TYPE minmax GRANULARITY 1\n)\n"
        "ENGINE = ReplacingMergeTree\n"
        "PARTITION BY toYYYYMM(ts)\n"
        "ORDER BY (site, toStartOfMinute(ts), event_id)\n"
        f"{ttl_clause(ttl_days)}\n"
        f"SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}"
    )


GRAINS = {"minute": "toStartOfMinute", "hour": "toStartOfHour", "day": "toStartOfDay"}


def _rollup_table(db: str, name: str, dims: list[str], extra: str = "", grain: str = "minute") -> str:
    dim_ddl = "".join(f"  {d},\n" for d in dims)
    keys = ", ".join(d.split()[0] for d in dims)
    return (
        f"CREATE TABLE IF NOT EXISTS {db}.{name} (\n"
        "  site LowCardinality(String),\n"
        f"  {grain} DateTime('UTC'),\n"
        f"{dim_ddl}"
        "  views SimpleAggregateFunction(sum, UInt64),\n"
        f"  visitors AggregateFunction(uniqCombined(12), FixedString(16)){extra},\n"
        f"  {BLOCK_SUM_DDL}\n"
        ")\nENGINE = AggregatingMergeTree\n"
        f"PARTITION BY toYYYYMM({grain})\n"
        f"ORDER BY (site, {grain}{', ' + keys if keys else ''})\n"
        f"SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}"
    )


def _rollup_select(db: str, dims: list[str], extra: str = "", grain: str = "minute", where: str = "",
                   every_row: bool = False) -> str:
    select_dims = "".join(f"{d.split()[0]}, " for d in dims)
    group_dims = "".join(f", {d.split()[0]}" for d in dims)
    block_sum = f"sum({BLOCK_HASH})" if every_row else f"sumIf({BLOCK_HASH}, {COUNTED})"
    return (
        f"SELECT site, {GRAINS[grain]}(ts) AS {grain}, {select_dims}"
        f"countIf({COUNTED}) AS views, "
        f"uniqCombinedStateIf(12)(visitor, {COUNTED}) AS visitors{extra}, {block_sum} AS {BLOCK_SUM}\n"
        f"FROM {db}.events{' WHERE ' + where if where else ''}\nGROUP BY site, {grain}{group_dims}"
    )


MINUTE_EXTRA_COLUMNS = (
    ",\n  events SimpleAggregateFunction(sum, UInt64),"
    "\n  received_max SimpleAggregateFunction(max, DateTime64(3, 'UTC'))"
)
MINUTE_EXTRA_SELECT = ", count() AS events, max(received_at) AS received_max"

ROLLUPS = {
    # name: dimensions besides (site, minute)
    "site_minute": [],
    "page_minute": ["path String"],
    "referrer_minute": ["referrer_host LowCardinality(String)"],
}


@dataclass(frozen=True, slots=True)
class Rollup:
    """A rollup as its view fills it: the grain, the keys, and the column that counts rows.

    ``exprs`` (one per dim) and ``join`` (an ARRAY JOIN clause) are set by a rollup whose
    keys are not plain columns of the events table (``breakdown_hour``)."""

    name: str
    grain: str
    dims: tuple[str, ...]
    counted: str  # "events" (every row) where the rollup has it, else "views" (COUNTED rows)
    exprs: tuple[str, ...] = ()
    join: str = ""
    feeds: tuple[str, ...] = ()  # rollups a view on this one fills: a repair must not fire it
    start: str = ""  # the grain column as an expression over the events (after ``join``), where not GRAINS'

    def keys(self) -> list[str]:
        return ["site", self.grain, *(d.split()[0] for d in self.dims)]

    def grain_expr(self) -> str:
        return self.start or f"{GRAINS[self.grain]}(ts)"

    def key_exprs(self) -> list[str]:
        """The keys as expressions over the events table (after ``join``)."""
        return ["site", self.grain_expr(), *(self.exprs or (d.split()[0] for d in self.dims))]

    def source(self, db: str) -> str:
        """The events table as this rollup's view reads it."""
        return f"{db}.events{' ' + self.join if self.join else ''}"

    def select(self, db: str, where: str = "") -> str:
        """What the rollup's view inserts (for the events matching ``where``)."""
        if self.join:
            return _joined_select(self, db, where)
        extra = MINUTE_EXTRA_SELECT if self.counted == "events" else ""
        return _rollup_select(db, list(self.dims), extra, self.grain, where, every_row=self.counted == "events")

    def view(self, db: str) -> str:
        return f"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{self.name}_mv TO {db}.{self.name} AS\n" + self.select(db)


# Breakdowns: the dimensions a breakdown groups by or filters on (events columns), and
# the filters ``breakdown_hour`` is also keyed by.  One view ARRAY-JOINs each counted
# event into one row per dimension (filter_dim '') plus one per (filter, other dimension)
# for the filters in BREAKDOWN_FILTERS: 8 + 2 x 7 = 22 rows an event, summed per hour.
BREAKDOWN_DIMENSIONS = ("path", "referrer_host", "browser", "os", "device", "utm_source", "utm_medium", "utm_campaign")
BREAKDOWN_FILTERS = ("path", "referrer_host")


def _as_string(column: str) -> str:
    return column if column == "path" else f"toString({column})"


# The 22 rows' (filter, dimension) pairs as two constant arrays of indexes, ARRAY-JOINed side by side;
# each row looks its names and values up in small arrays.  chDB analyses a view's query on every
# insert, and the 22 literal (filter, value, dimension, value) tuples written out before migration 10
# cost ~7.5 ms of CPU an insert to analyse, these ~3.8 (same rows: tests/tracker/olap/test_migrations.py).
_FILTER_AT = [0] * len(BREAKDOWN_DIMENSIONS) + [
    i + 1 for i, f in enumerate(BREAKDOWN_FILTERS) for d in BREAKDOWN_DIMENSIONS if d != f]
_DIMENSION_AT = [i + 1 for i in range(len(BREAKDOWN_DIMENSIONS))] + [
    BREAKDOWN_DIMENSIONS.index(d) + 1 for f in BREAKDOWN_FILTERS for d in BREAKDOWN_DIMENSIONS if d != f]
BREAKDOWN_JOIN = f"ARRAY JOIN {_FILTER_AT} AS b_f, {_DIMENSION_AT} AS b_d"
BREAKDOWN_EXPRS = (
    f"{['', *BREAKDOWN_FILTERS]}[b_f + 1]",
    f"['', {', '.join(BREAKDOWN_FILTERS)}][b_f + 1]",  # String: the arrays' common type (no toString to analyse)
    f"{list(BREAKDOWN_DIMENSIONS)}[b_d]",
    f"[{', '.join(BREAKDOWN_DIMENSIONS)}][b_d]",
)


def legacy_breakdown_join() -> str:
    """The ARRAY JOIN of the breakdown views before migration 10 (22 literal tuples, keys ``b.1``..``b.4``):
    the same rows as ``BREAKDOWN_JOIN``; kept for the test that says so."""
    pairs = [f"('', '', '{d}', {_as_string(d)})" for d in BREAKDOWN_DIMENSIONS]
    pairs += [f"('{f}', {_as_string(f)}, '{d}', {_as_string(d)})"
              for f in BREAKDOWN_FILTERS for d in BREAKDOWN_DIMENSIONS if d != f]
    return "ARRAY JOIN [" + ", ".join(pairs) + "] AS b"


BREAKDOWN_KEYS = ("filter_dim LowCardinality(String)", "filter_value String", "dim LowCardinality(String)",
                  "value String")
# breakdown_hour's rows through migration 13 (22 an event)
BREAKDOWN_HOUR_13 = Rollup("breakdown_hour", "hour", BREAKDOWN_KEYS, "views", exprs=BREAKDOWN_EXPRS,
                           join=BREAKDOWN_JOIN, feeds=("breakdown_span",))
# From migration 14 a 23rd row an event: the site's own (filter '', dimension '', value ''), the
# per-hour site totals that ``site_hour`` held with a view and a part of its own on every insert.
SITE_ROW_JOIN = f"ARRAY JOIN {[*_FILTER_AT, 0]} AS b_f, {[*_DIMENSION_AT, 0]} AS b_d"
SITE_ROW_EXPRS = (
    *BREAKDOWN_EXPRS[:2],
    f"{['', *BREAKDOWN_DIMENSIONS]}[b_d + 1]",
    f"['', {', '.join(BREAKDOWN_DIMENSIONS)}][b_d + 1]",
)
BREAKDOWN_HOUR = Rollup("breakdown_hour", "hour", BREAKDOWN_KEYS, "views", exprs=SITE_ROW_EXPRS,
                        join=SITE_ROW_JOIN, feeds=("breakdown_span",))
# the same per UTC day, filled from breakdown_hour's inserts, from migration 7 until migration 11
# replaced it by the day spans of ``breakdown_span``
BREAKDOWN_DAY = Rollup("breakdown_day", "day", BREAKDOWN_KEYS, "views", exprs=BREAKDOWN_EXPRS,
                       join=BREAKDOWN_JOIN)


# Spans of ``breakdown_span`` until migration 15: an hour, four hours (from 00:00 UTC) and a UTC
# day.  A range of whole hours is a few of them, and a span's state holds its hours' visitors
# merged: once past 2,048 visitors a uniqCombined(12) state is a fixed-size HyperLogLog, which
# merges in ~2 us, where an hour's set of a thousand costs ~15 us.
SPANS_11 = (3600, 4 * 3600, 86400)
# From migration 15, spans as (length, step) in seconds: a row for every span of that length that
# starts at a multiple of its step.  Twelve hours every two hours overlap (an hour is in six of
# them), so any 25 hours (the API's "last 24 h") are at most three rows a value (two 12-hour spans
# and an hour, or a day and an hour) where the aligned spans took up to ten; 7 and 13 hours take
# at most four and two.  An hour row of an insert becomes nine span rows instead of three.
SPAN_WINDOWS = ((3600, 3600), (4 * 3600, 4 * 3600), (12 * 3600, 2 * 3600), (86400, 86400))


def span_windows(t: str, windows: tuple[tuple[int, int], ...] = SPAN_WINDOWS) -> str:
    """An array of (span, start second) of every span an hour holding unix second ``t`` is in."""
    parts = [f"arrayMap(i -> (toUInt32({length}), toUInt32(intDiv({t}, {step}) * {step} - i * {step})), "
             f"range({length // step}))" for length, step in windows]
    return parts[0] if len(parts) == 1 else f"arrayConcat({', '.join(parts)})"


def _joined_select(rollup: Rollup, db: str, where: str = "") -> str:
    """The view query of a rollup whose keys come from an ARRAY JOIN of each counted event
    (``breakdown_hour``'s 23 rows an event), or of every event where it counts them all
    (``dim_minute``: the site's row for every event, a page and a referrer row for a counted one)."""
    names = [d.split()[0] for d in rollup.dims]
    dims = "".join(f"{e} AS {n}, " for e, n in zip(rollup.exprs, names, strict=True))
    if rollup.counted == "events":
        measures = (f"countIf({COUNTED}) AS views, uniqCombinedStateIf(12)(visitor, {COUNTED}) AS visitors"
                    f"{MINUTE_EXTRA_SELECT}, sum({BLOCK_HASH}) AS {BLOCK_SUM}")
        rows = where
    else:
        measures = f"count() AS views, uniqCombinedState(12)(visitor) AS visitors, sum({BLOCK_HASH}) AS {BLOCK_SUM}"
        rows = f"{COUNTED}{' AND ' + where if where else ''}"
    return (
        f"SELECT site, {rollup.grain_expr()} AS {rollup.grain}, {dims}{measures}\n"
        f"FROM {rollup.source(db)}{' WHERE ' + rows if rows else ''}\n"
        f"GROUP BY site, {rollup.grain}, {', '.join(names)}"
    )


def _breakdown_table(db: str, r: Rollup) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {db}.{r.name} (\n"
        f"  site LowCardinality(String),\n  {r.grain} DateTime('UTC'),\n"
        + "".join(f"  {d},\n" for d in r.dims)
        + "  views SimpleAggregateFunction(sum, UInt64),\n"
        "  visitors AggregateFunction(uniqCombined(12), FixedString(16)),\n"
        f"  {BLOCK_SUM_DDL}\n"
        ")\nENGINE = AggregatingMergeTree\n"
        f"PARTITION BY toYYYYMM({r.grain})\n"
        f"ORDER BY (site, dim, filter_dim, filter_value, {r.grain}, value)\n"
        f"SETTINGS index_granularity = 256, non_replicated_deduplication_window = {DEDUP_WINDOW}"
    )  # key order: a breakdown reads one (site, dim, filter) run of hours.  Small granules: a row
    # holds a ~3 KB visitor state, and a 8192-row granule read for 125 rows cost 4x the query


def breakdown_statements(db: str) -> list[str]:
    """The breakdown rollups (hour, and day fed from hour), their views, and a backfill of the
    events already stored (into the hours, whose view fills the days).  Migration 7, as it was:
    migration 11 drops the day table (``span_statements``)."""
    h, d = BREAKDOWN_HOUR_13, BREAKDOWN_DAY
    day_view = (
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{d.name}_mv TO {db}.{d.name} AS\n"
        "SELECT site, toStartOfDay(hour) AS day, filter_dim, filter_value, dim, value, sum(views) AS views, "
        f"uniqCombinedMergeState(12)(visitors) AS visitors\nFROM {db}.{h.name}\n"
        "GROUP BY site, day, filter_dim, filter_value, dim, value"
    )
    backfill = (f"INSERT INTO {db}.{h.name} {h.select(db)} "
                f"HAVING (SELECT count() FROM {db}.{h.name}) = 0")  # once; the writer is stopped during migrations
    return [_breakdown_table(db, h), h.view(db), _breakdown_table(db, d), day_view, backfill]


def breakdown_view_statements(db: str) -> list[str]:
    """``breakdown_hour``'s view on ``BREAKDOWN_JOIN``: the same rows from a query chDB analyses
    faster on each insert (the view is replaced in place: no insert finds it missing)."""
    return [f"ALTER TABLE {db}.{BREAKDOWN_HOUR_13.name}_mv MODIFY QUERY {BREAKDOWN_HOUR_13.select(db)}"]


BREAKDOWN_SPAN_13 = Rollup("breakdown_span", "start", ("span UInt32", *BREAKDOWN_KEYS), "views",
                           exprs=("sp", *BREAKDOWN_EXPRS),
                           join=BREAKDOWN_JOIN + f" ARRAY JOIN [{', '.join(map(str, SPANS_11))}] AS sp",
                           start="toDateTime(intDiv(toUnixTimestamp(ts), sp) * sp, 'UTC')")
# the span rows from migration 15 (every span of SPAN_WINDOWS an event's hour is in)
BREAKDOWN_SPAN = Rollup("breakdown_span", "start", ("span UInt32", *BREAKDOWN_KEYS), "views",
                        exprs=("w.1", *SITE_ROW_EXPRS),
                        join=SITE_ROW_JOIN + f" ARRAY JOIN {span_windows('toUnixTimestamp(ts)')} AS w",
                        start="toDateTime(w.2, 'UTC')")


def _span_select(db: str) -> str:
    """What ``breakdown_span``'s view inserted through migration 14: an insert into ``breakdown_hour``
    merged up to every span of ``SPANS_11``."""
    spans = ", ".join(map(str, SPANS_11))
    return (f"SELECT site, toDateTime(intDiv(toUInt32(hour), sp) * sp, 'UTC') AS start, sp AS span, filter_dim, "
            "filter_value, dim, value, sum(views) AS views, uniqCombinedMergeState(12)(visitors) AS visitors, "
            f"sum({BLOCK_SUM}) AS {BLOCK_SUM} FROM {db}.breakdown_hour ARRAY JOIN [{spans}] AS sp "
            "GROUP BY site, start, span, filter_dim, filter_value, dim, value")


def _window_select(db: str, windows: tuple[tuple[int, int], ...] = SPAN_WINDOWS, grouped: bool = True) -> str:
    """What ``breakdown_span``'s view inserts from migration 15 (``grouped`` False): every row of an
    insert into ``breakdown_hour`` once for each span (``SPAN_WINDOWS``) its hour is in, its sums
    and state as they are (the table merges rows of one key; an insert's hour rows are one a key
    already, so a GROUP BY here merged nothing at the writer's rates and cost ~3 ms a flush).
    Grouped: the same rows merged by key, for the backfill of many hours at once."""
    sums = (f"sum(views) AS views, uniqCombinedMergeState(12)(visitors) AS visitors, sum({BLOCK_SUM}) AS {BLOCK_SUM}"
            if grouped else f"views, visitors, {BLOCK_SUM}")
    rows = (f"SELECT site, toDateTime(w.2, 'UTC') AS start, w.1 AS span, filter_dim, filter_value, dim, value, {sums} "
            f"FROM {db}.breakdown_hour ARRAY JOIN {span_windows('toUInt32(hour)', windows)} AS w")
    return rows + (" GROUP BY site, start, span, filter_dim, filter_value, dim, value" if grouped else "")


def window_statements(db: str) -> list[str]:
    """Migration 15: ``breakdown_span`` gains the 12-hour spans that start every two hours.  The
    view is replaced in place by one that writes every span of ``SPAN_WINDOWS``, and the stored
    hours are merged up to the new spans once (the writer is stopped during migrations; a run
    again after a crash finds them there and adds nothing).  The rows of the other spans stay."""
    added = tuple(w for w in SPAN_WINDOWS if w[0] not in SPANS_11)
    spans = ", ".join(str(length) for length, _ in added)
    return [f"ALTER TABLE {db}.breakdown_span_mv MODIFY QUERY {_window_select(db, grouped=False)}",
            f"INSERT INTO {db}.breakdown_span {_window_select(db, added)} "
            f"HAVING (SELECT count() FROM {db}.breakdown_span WHERE span IN ({spans})) = 0"]


def span_statements(db: str) -> list[str]:
    """``breakdown_span``: the breakdown rows of every hour, four hours and day in one table,
    keyed so that the spans covering a range are one read (``breakdowns``: each more table read
    in a query cost ~3.5 ms of planning in chDB, more than merging the states).  Filled by a
    view on ``breakdown_hour``'s inserts (its rows merged up: no second pass over the events),
    and backfilled from it once.  Small granules: a read takes a few dozen rows of one key."""
    r, up = BREAKDOWN_SPAN_13, _span_select(db)
    table = (
        f"CREATE TABLE IF NOT EXISTS {db}.{r.name} (\n"
        "  site LowCardinality(String),\n  start DateTime('UTC'),\n"
        + "".join(f"  {d},\n" for d in r.dims)
        + "  views SimpleAggregateFunction(sum, UInt64),\n"
        "  visitors AggregateFunction(uniqCombined(12), FixedString(16)),\n"
        f"  {BLOCK_SUM_DDL}\n"
        ")\nENGINE = AggregatingMergeTree\n"
        "PARTITION BY toYYYYMM(start)\n"
        "ORDER BY (site, dim, filter_dim, filter_value, span, start, value)\n"
        f"SETTINGS index_granularity = 64, non_replicated_deduplication_window = {DEDUP_WINDOW}"
    )
    view = f"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{r.name}_mv TO {db}.{r.name} AS\n{up}"
    backfill = f"INSERT INTO {db}.{r.name} {up} HAVING (SELECT count() FROM {db}.{r.name}) = 0"
    # the writer is stopped during migrations: nothing lands in between.  breakdown_day's rows are
    # the day spans now: its view (a second cascade on every insert) and table go
    return [table, view, backfill, f"DROP VIEW IF EXISTS {db}.breakdown_day_mv SYNC",
            f"DROP TABLE IF EXISTS {db}.breakdown_day SYNC"]


SITE_MINUTE = Rollup("site_minute", "minute", (), "events")
SITE_HOUR = Rollup("site_hour", "hour", (), "views")
# the per-minute page and referrer rollups until migration 13 made them the rows of ``dim_minute``
PAGE_MINUTE = Rollup("page_minute", "minute", tuple(ROLLUPS["page_minute"]), "views")
REFERRER_MINUTE = Rollup("referrer_minute", "minute", tuple(ROLLUPS["referrer_minute"]), "views")

# Per-minute views and visitors of each page and each referrer host, one table: a counted event is
# two rows (dim 'path' and 'referrer_host', ARRAY JOINed from index constants as the breakdown view's
# pairs are), one part an insert where page_minute and referrer_minute wrote two (chDB charges a part
# and its view's analysis on every insert: ~3 ms of ~50 a 5-row insert, docs/decisions.md).
MINUTE_DIMENSIONS = ("path", "referrer_host")
DIM_MINUTE_13 = Rollup("dim_minute", "minute", ("dim LowCardinality(String)", "value String"), "views",
                       exprs=(f"{list(MINUTE_DIMENSIONS)}[d]", f"[{', '.join(MINUTE_DIMENSIONS)}][d]"),
                       join=f"ARRAY JOIN {list(range(1, len(MINUTE_DIMENSIONS) + 1))} AS d")
# From migration 14 also the site's row (dim '', value ''), for every event, counted or not: what
# ``site_minute`` held (its ``events`` and ``received_max`` too), without a view and a part of its own.
DIM_MINUTE = Rollup("dim_minute", "minute", DIM_MINUTE_13.dims, "events",
                    exprs=(f"{['', *MINUTE_DIMENSIONS]}[d + 1]", f"['', {', '.join(MINUTE_DIMENSIONS)}][d + 1]"),
                    join=f"ARRAY JOIN if({COUNTED}, {list(range(len(MINUTE_DIMENSIONS) + 1))}, [0]) AS d")

ROLLUP_TABLES = (  # the rollups every insert of events fills (crash repair checks each)
    DIM_MINUTE,  # page_minute and referrer_minute until migration 13, site_minute until 14
    BREAKDOWN_HOUR,  # site_hour's rows too from migration 14
    BREAKDOWN_SPAN,  # breakdown_day until migration 11 (its day spans)
)
# the rollups as migration 12 found them (it gave each a block sum), whatever came after
ROLLUPS_AT_12 = (SITE_MINUTE, PAGE_MINUTE, REFERRER_MINUTE, SITE_HOUR, BREAKDOWN_HOUR_13, BREAKDOWN_SPAN_13)
_BY_NAME = {r.name: r for r in ROLLUPS_AT_12}


def block_sum_statements(db: str) -> list[str]:
    """Migration 12: ``block_sum`` in every rollup and its view.  The rows already stored get one
    correction row per key (views 0, the key's block sum from the events) for every key a new event
    can still reach (``PAST_SKEW_S`` back, from a day's start: the longest grain), once: each insert
    runs while its rollup's sums are all 0 (a re-run after a crash finds them set and adds nothing).
    A breakdown_hour correction reaches breakdown_span through its view, like any insert."""
    from tracker.event import PAST_SKEW_S

    out = [f"ALTER TABLE {db}.{r.name} ADD COLUMN IF NOT EXISTS {BLOCK_SUM_DDL}" for r in ROLLUPS_AT_12]
    out += [f"ALTER TABLE {db}.{r.name}_mv MODIFY QUERY {_span_select(db) if r is BREAKDOWN_SPAN_13 else r.select(db)}"
            for r in ROLLUPS_AT_12]
    since = f"ts >= toStartOfDay(now() - INTERVAL {PAST_SKEW_S} SECOND)"
    for r in ROLLUPS_AT_12:
        if r is BREAKDOWN_SPAN_13:
            continue
        names = r.keys()
        exprs = ", ".join(f"{e} AS {n}" for e, n in zip(r.key_exprs(), names, strict=True))
        counted = "" if r.counted == "events" else f" AND {COUNTED}"  # no key the view did not write
        out.append(f"INSERT INTO {db}.{r.name} ({', '.join(names)}, {BLOCK_SUM}) SELECT {exprs}, sum({BLOCK_HASH}) "
                   f"FROM {r.source(db)} WHERE {since}{counted} AND (SELECT sum({BLOCK_SUM}) FROM {db}.{r.name}) = 0 "
                   f"GROUP BY {', '.join(names)}")
    return out


def hourly_statements(db: str) -> list[str]:
    """Per-hour site rollup: long ranges merge 60x fewer visitor states."""
    backfill = (
        f"INSERT INTO {db}.site_hour SELECT site, toStartOfHour(ts) AS hour, countIf({COUNTED}) AS views, "
        f"uniqCombinedStateIf(12)(visitor, {COUNTED}) AS visitors, sumIf({BLOCK_HASH}, {COUNTED}) AS {BLOCK_SUM} "
        f"FROM {db}.events FINAL WHERE (SELECT count() FROM {db}.site_hour) = 0 GROUP BY site, hour"
    )  # existing data, once (the writer is not running while migrations run)
    return [_rollup_table(db, "site_hour", [], grain="hour"), _BY_NAME["site_hour"].view(db), backfill]


def rollup_statements(db: str, name: str) -> list[str]:
    extra_cols = MINUTE_EXTRA_COLUMNS if name == "site_minute" else ""
    return [_rollup_table(db, name, ROLLUPS[name], extra_cols), _BY_NAME[name].view(db)]


def closed_minute_statements(db: str) -> list[str]:
    """Finalised visitor counts per (site, minute): a cache of ``site_minute``'s states.

    A row is valid while its ``events`` equals ``sum(events)`` of the minute in
    ``site_minute`` (an insert into the minute after it was closed raises that sum), so
    readers check it and merge the states of any minute that does not match; closing a
    minute again writes a row with more events, which ReplacingMergeTree(events) keeps.
    """
    table = (
        f"CREATE TABLE IF NOT EXISTS {db}.site_minute_closed (\n"
        "  site LowCardinality(String),\n"
        "  minute DateTime('UTC'),\n"
        "  visitors UInt64,\n"
        "  events UInt64\n"
        ")\nENGINE = ReplacingMergeTree(events)\n"
        "PARTITION BY toYYYYMM(minute)\n"
        "ORDER BY (site, minute)"
    )
    backfill = (
        f"INSERT INTO {db}.site_minute_closed SELECT site, minute, uniqCombinedMerge(12)(visitors), sum(events) "
        f"FROM {db}.site_minute WHERE (SELECT count() FROM {db}.site_minute_closed) = 0 "
        "AND minute < toStartOfMinute(now()) GROUP BY site, minute"
    )  # minutes closed before this migration, once (the writer is not running while migrations run)
    return [table, backfill]


WIDE_ROLLUPS = ("site_minute", "site_hour")


def wide_part_statements(db: str) -> list[str]:
    """Store the site rollups' parts wide (a file per column), so reading their plain sums
    does not decompress the visitor states: a compact part interleaves every column of a
    granule in one stream, and ``site_minute``'s 24 h of views/events cost ~30% more read
    that way.  Parts written or merged from now on follow (settings only; idempotent)."""
    return [f"ALTER TABLE {db}.{name} MODIFY SETTING min_bytes_for_wide_part = 0, min_rows_for_wide_part = 0"
            for name in WIDE_ROLLUPS]


def visit_statements(db: str) -> list[str]:
    """``visit_hour``: per closed hour and filter key, the visit pieces and boundary joins a KPI
    summary adds up (``tracker.olap.visits``).  A cache written by the reads that find an hour
    missing or stale, not a view: sessions cross inserts.  Each close of an hour writes all of
    its rows with one ``closed_at``; readers take the newest close of each hour (and the
    replacing merge drops the older ones).  Nothing to backfill: the first summary closes."""
    return [
        f"CREATE TABLE IF NOT EXISTS {db}.visit_hour (\n"
        "  site LowCardinality(String),\n"
        "  filter_dim LowCardinality(String),\n"
        "  filter_value String,\n"
        "  hour DateTime('UTC'),\n"
        "  kind UInt8,\n"  # 0: the counts the close saw, 1: pieces of the hour, 2: joins at its start
        "  visits Int64,\n"
        "  bounces Int64,\n"
        "  views Int64,\n"
        "  risky UInt8,\n"
        "  n UInt64,\n"
        "  n_prev UInt64,\n"
        "  n_prev2 UInt64,\n"
        "  closed_at DateTime64(6, 'UTC')\n"
        ")\nENGINE = ReplacingMergeTree(closed_at)\n"
        "PARTITION BY toYYYYMM(hour)\n"
        "ORDER BY (site, filter_dim, filter_value, hour, kind)"
    ]


def dim_minute_statements(db: str) -> list[str]:
    """Migration 13: ``page_minute`` and ``referrer_minute`` become the rows of one table,
    ``dim_minute`` (site, dim, minute, value), filled by one view.  Their rows are copied once,
    states and block sums as they are (a key of one is a key of the other: nothing merges
    differently); then their views and tables go.  The writer is stopped during migrations."""
    r = DIM_MINUTE_13
    table = (
        f"CREATE TABLE IF NOT EXISTS {db}.{r.name} (\n"
        "  site LowCardinality(String),\n  minute DateTime('UTC'),\n"
        + "".join(f"  {d},\n" for d in r.dims)
        + "  views SimpleAggregateFunction(sum, UInt64),\n"
        "  visitors AggregateFunction(uniqCombined(12), FixedString(16)),\n"
        f"  {BLOCK_SUM_DDL}\n"
        ")\nENGINE = AggregatingMergeTree\n"
        "PARTITION BY toYYYYMM(minute)\n"
        "ORDER BY (site, dim, minute, value)\n"  # a read is one dimension's run of minutes
        f"SETTINGS non_replicated_deduplication_window = {DEDUP_WINDOW}"
    )
    copied = " UNION ALL ".join(
        f"SELECT site, minute, '{dim}' AS dim, {column} AS value, views, visitors, {BLOCK_SUM} FROM {db}.{old}"
        for dim, column, old in (("path", "path", "page_minute"), ("referrer_host", "referrer_host", "referrer_minute")))
    backfill = (f"INSERT INTO {db}.{r.name} (site, minute, dim, value, views, visitors, {BLOCK_SUM}) "
                f"SELECT * FROM ({copied}) WHERE (SELECT count() FROM {db}.{r.name}) = 0")  # once
    # a run again after a crash past the drops finds the old tables gone: empty ones stand in (and go again)
    sources = [_rollup_table(db, old, ROLLUPS[old]) for old in ("page_minute", "referrer_minute")]
    return [table, r.view(db), *sources, backfill,
            *(f"DROP VIEW IF EXISTS {db}.{old}_mv SYNC" for old in ("page_minute", "referrer_minute")),
            *(f"DROP TABLE IF EXISTS {db}.{old} SYNC" for old in ("page_minute", "referrer_minute"))]


# The site rollups' rows from migration 14 on: (table, the condition picking them).  The views
# ``site_minute`` and ``site_hour`` show them under the old names; the code reads the tables (a read
# through a view plans its layer too: ~2.5 ms more of a ~5 ms read of a day's minute sums).
SITE_ROWS = {
    "minute": ("dim_minute", "dim = ''"),
    "hour": ("breakdown_hour", "dim = '' AND filter_dim = '' AND filter_value = ''"),
}


def site_source(db: str, grain: str) -> str:
    """``<table> WHERE <condition>``: the site's rows at this grain, for a reader to go on with `` AND …``."""
    table, rows = SITE_ROWS[grain]
    return f"{db}.{table} WHERE {rows}"


def site_row_statements(db: str) -> list[str]:
    """Migration 14: the site rollups become rows of the others, two views and two parts fewer on
    every insert (chDB charges each ~5 ms of CPU however few the rows, docs/decisions.md).
    ``site_minute``'s rows are ``dim_minute``'s with dim '' (which gains its ``events`` and
    ``received_max``; a page or referrer row's ``events`` are its counted ones, its views), and
    ``site_hour``'s are ``breakdown_hour``'s with dim, filter and value '' (through its view they
    reach ``breakdown_span`` too).  The rows are copied once, states and block sums as they are;
    then the old views and tables go, and views of the same names and columns read the new rows,
    so every reader of the site rollups reads them unchanged.  The writer is stopped during
    migrations; a run again after a crash finds the copies made and copies nothing twice."""
    m, h = DIM_MINUTE, BREAKDOWN_HOUR
    # a run again after a crash past the drops finds the old tables gone: empty ones stand in (and go again)
    stand_ins = [_rollup_table(db, "site_minute", [], MINUTE_EXTRA_COLUMNS), _rollup_table(db, "site_hour", [], grain="hour")]
    columns = [f"ALTER TABLE {db}.{m.name} ADD COLUMN IF NOT EXISTS events SimpleAggregateFunction(sum, UInt64) "
               "DEFAULT views AFTER visitors",  # a page or referrer row stored before counts its views
               f"ALTER TABLE {db}.{m.name} ADD COLUMN IF NOT EXISTS received_max "
               "SimpleAggregateFunction(max, DateTime64(3, 'UTC')) AFTER events"]
    copies = [
        f"INSERT INTO {db}.{m.name} (site, minute, dim, value, views, visitors, events, received_max, {BLOCK_SUM}) "
        f"SELECT site, minute, '', '', views, visitors, events, received_max, {BLOCK_SUM} FROM {db}.site_minute "
        f"WHERE (SELECT count() FROM {db}.{m.name} WHERE dim = '') = 0",
        f"INSERT INTO {db}.{h.name} (site, hour, filter_dim, filter_value, dim, value, views, visitors, {BLOCK_SUM}) "
        f"SELECT site, hour, '', '', '', '', views, visitors, {BLOCK_SUM} FROM {db}.site_hour "
        f"WHERE (SELECT count() FROM {db}.{h.name} WHERE dim = '') = 0",  # its view fills breakdown_span's
    ]
    views = [f"ALTER TABLE {db}.{r.name}_mv MODIFY QUERY {r.select(db)}" for r in (m, h)]
    # merged parts wide, as the site rollups' were (migration 8): a read of the plain sums skips the
    # visitor states; an insert's small part stays compact (one file: cheaper to write)
    wide = [f"ALTER TABLE {db}.{r.name} MODIFY SETTING min_bytes_for_wide_part = 0, min_rows_for_wide_part = 0, "
            "min_level_for_wide_part = 1" for r in (m, h)]
    readers = [
        f"CREATE VIEW IF NOT EXISTS {db}.site_minute AS SELECT site, minute, views, visitors, events, received_max, "
        f"{BLOCK_SUM} FROM {site_source(db, 'minute')}",
        f"CREATE VIEW IF NOT EXISTS {db}.site_hour AS SELECT site, hour, views, visitors, {BLOCK_SUM} "
        f"FROM {site_source(db, 'hour')}",
    ]
    return [*columns, *stand_ins, *copies, *views, *wide,
            *(f"DROP VIEW IF EXISTS {db}.{old}_mv SYNC" for old in ("site_minute", "site_hour")),
            *(f"DROP TABLE IF EXISTS {db}.{old} SYNC" for old in ("site_minute", "site_hour")), *readers]
