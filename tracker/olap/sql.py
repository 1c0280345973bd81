"""ClickHouse SQL for the query API, served from the rollups with -Merge combinators.

Every function returns ``(sql, parameters)`` for server-side binding; the database
name is ours (from settings) and the only thing formatted into the text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from tracker.olap.schema import COUNTED, site_source
from tracker.model import RANGE_FILTERS, Range, SeriesQuery, TopQuery

BUCKET = {"1m": "minute", "1h": "toStartOfHour(minute)", "1d": "toStartOfDay(minute)"}
RAW_BUCKET = {"1m": "toStartOfMinute(ts)", "1h": "toStartOfHour(ts)", "1d": "toStartOfDay(ts)"}


def _params(r: Range) -> dict:
    return {
        "site": r.site,
        "start": r.start.replace(tzinfo=None),
        "end": r.end.replace(tzinfo=None),
        "path": r.path or "",
        "referrer": r.referrer or "",
        **{f"rf{i}": value for i, (_, value) in enumerate(r.filters)},
    }


# ``dim_minute``'s dimensions: the condition picking one's rows, and one value of it (a ``_params`` name)
DIM_ROWS = {"path": "dim = 'path'", "referrer_host": "dim = 'referrer_host'"}
DIM_VALUE = {"path": " AND value = {path:String}", "referrer_host": " AND value = {referrer:String}"}


def _source(db: str, r: Range) -> str | None:
    """The minute rollup rows that answer this range's filters (``FROM`` text, for ``_where``'s
    conditions to follow ``WHERE``), or None (raw events needed)."""
    if r.filters:  # the minute rollups are not keyed by browser, device, UTM …
        return None
    if r.path is not None and r.referrer is not None:
        return None
    if r.path is not None or r.referrer is not None:
        return f"{db}.dim_minute WHERE"
    return f"{site_source(db, 'minute')} AND"


def _whole_site(r: Range) -> bool:
    return r.path is None and r.referrer is None and not r.filters


def _where(r: Range, time_col: str) -> str:
    """The range's rows: of the events (``ts``), or of a minute rollup (``minute``: ``dim_minute``'s
    rows of the one dimension filtered, as ``_source`` picks it)."""
    parts = [
        "site = {site:String}",
        f"{time_col} >= {{start:DateTime64(3, 'UTC')}}",
        f"{time_col} < {{end:DateTime64(3, 'UTC')}}",
    ]
    if time_col == "minute":
        for dim, value in (("path", r.path), ("referrer_host", r.referrer)):
            if value is not None:
                parts.append(DIM_ROWS[dim] + DIM_VALUE[dim])
    else:
        if r.path is not None:
            parts.append("path = {path:String}")
        if r.referrer is not None:
            parts.append("referrer_host = {referrer:String}")
    for i, (column, _) in enumerate(r.filters):
        parts.append(f"{_range_filter(column)} = {{rf{i}:String}}")
    return " AND ".join(parts)


def _range_filter(column: str) -> str:
    if column not in RANGE_FILTERS:  # the only names a range filter puts into the SQL text
        raise ValueError(f"not a range filter: {column!r}")
    return column


def _ceil_hour(t: datetime) -> datetime:
    floor = t.replace(minute=0, second=0, microsecond=0)
    return floor if floor == t else floor + timedelta(hours=1)


def _segments(r: Range) -> list[tuple[str, datetime, datetime]]:
    """[start, end) as minute rows for the ragged edges and hour rows for whole hours: (grain, start, end)."""
    h0 = _ceil_hour(r.start)
    h1 = r.end.replace(minute=0, second=0, microsecond=0)
    if h0 >= h1:
        return [("minute", r.start, r.end)]
    out = []
    if r.start < h0:
        out.append(("minute", r.start, h0))
    out.append(("hour", h0, h1))
    if h1 < r.end:
        out.append(("minute", h1, r.end))
    return out


NO_VISITORS = "arrayReduce('uniqCombinedState(12)', CAST([], 'Array(FixedString(16))'))"


def _site_rows(db: str, r: Range, raw_from: datetime | None = None, visitors: bool = True) -> tuple[str, dict]:
    """A subquery of (m, views, visitors) rows from the hourly and minute site rollups.  The
    visitors of a minute edge from ``raw_from`` on (the open hour) come from the events, as
    states of the same rows, which costs less than reaching its minutes' states (see
    ``raw_minute_visitors``); its views still come from the minute rollup.  Without ``visitors``:
    (m, views) rows, which read no state at all."""
    parts, params = [], {"site": r.site}
    for i, (col, start, end) in enumerate(_segments(r)):
        params[f"s{i}"], params[f"e{i}"] = start.replace(tzinfo=None), end.replace(tzinfo=None)
        lo, hi = f"{{s{i}:DateTime64(3, 'UTC')}}", f"{{e{i}:DateTime64(3, 'UTC')}}"
        rows = site_source(db, col)
        if not visitors:
            parts.append(f"SELECT {col} AS m, views FROM {rows} AND site = {{site:String}} "
                         f"AND {col} >= {lo} AND {col} < {hi}")
        elif col == "minute" and raw_from is not None and start >= raw_from:
            parts.append(f"SELECT minute AS m, views, {NO_VISITORS} AS visitors FROM {rows} "
                         f"AND site = {{site:String}} AND minute >= {lo} AND minute < {hi}")
            parts.append(f"SELECT toStartOfMinute(ts) AS m, toUInt64(0) AS views, "
                         f"uniqCombinedStateIf(12)(visitor, {COUNTED}) AS visitors FROM {db}.events "
                         f"WHERE site = {{site:String}} AND toStartOfMinute(ts) >= {lo} "
                         f"AND toStartOfMinute(ts) < {hi} GROUP BY m")
        else:
            parts.append(f"SELECT {col} AS m, views, visitors FROM {rows} AND site = {{site:String}} "
                         f"AND {col} >= {lo} AND {col} < {hi}")
    return " UNION ALL ".join(parts), params


def bucket_sums(db: str, q: SeriesQuery) -> tuple[str, dict]:
    """Rows (bucket's epoch seconds, views) of a site series by hour or day, from the plain sums."""
    rows, params = _site_rows(db, q.range, visitors=False)
    bucket = BUCKET[q.interval].replace("minute", "m")
    return f"SELECT toUInt32({bucket}) AS t, sum(views) FROM ({rows}) GROUP BY t{SMALL_READ}", params


# The two reads of a minute series are small (a day is 1,440 rows of sums, the open minutes a
# few hundred events) and run side by side: one thread each, and no PREWHERE planning (nothing
# to skip); ~15 % less CPU a read in chDB than the defaults.  So are the site's hour and day
# series and totals (a day of hour rows and its minute edges: the bucket sums 34 → 25 ms of CPU).
# Written into the text, as chDB's client applies per-call settings to a raw read with three
# more queries.
SMALL_READ = " SETTINGS max_threads = 1, optimize_move_to_prewhere = 0"


def minute_sums(db: str, r: Range) -> tuple[str, dict]:
    """Rows (epoch seconds UInt32, views UInt64, events UInt64) of a site's minutes from
    the minute rollup's plain sums: no visitor states read; one row per stored part, since in
    chDB a GROUP BY costs more than adding the few repeats up on the client.  Read as
    RowBinary and decoded by ``columns``.  The bounds are bound as whole seconds (``minute``
    holds whole seconds, so ``minute >= ceil(start)`` is ``minute >= start``): a DateTime64
    parameter compared with the DateTime column took ~0.7 ms more to plan (3.6 vs 2.9 ms CPU)."""
    if r.path is not None or r.referrer is not None or r.filters:
        raise ValueError("minute_sums reads a site's minutes: no filters")
    bounds = {"lo": _ceil_second(r.start), "hi": _ceil_second(r.end)}
    return (f"SELECT toUInt32(minute), views, events FROM {site_source(db, 'minute')} AND site = {{site:String}} "
            "AND minute >= toDateTime({lo:UInt32}, 'UTC') AND minute < toDateTime({hi:UInt32}, 'UTC')"
            f"{SMALL_READ}"), {"site": r.site, **bounds}


def _ceil_second(t: datetime) -> int:
    whole = int(t.timestamp() // 1)
    return whole if t.microsecond == 0 else whole + 1


MINUTE_SUMS_ROW = np.dtype([("t", "<u4"), ("views", "<u8"), ("events", "<u8")])
OPEN_MINUTES_ROW = np.dtype([("t", "<u4"), ("views", "<u8"), ("events", "<u8"), ("visitors", "<u8")])


def columns(data: bytes, row: np.dtype) -> tuple[np.ndarray, ...]:
    """RowBinary rows of fixed-width columns (``MINUTE_SUMS_ROW``, ``OPEN_MINUTES_ROW``) as arrays."""
    rows = np.frombuffer(data, dtype=row)
    return tuple(rows[name] for name in row.names)


def open_minutes(db: str, site: str, start: int, end: int) -> tuple[str, dict]:
    """Rows (epoch seconds, views, events, visitors; ``OPEN_MINUTES_ROW``) of the whole minutes
    [start, end) (epoch seconds on minute boundaries) counted from the events, as
    ``raw_minute_visitors``: the minutes still written to, read beside ``minute_sums``."""
    return (f"{_raw_minutes(db, flag=False)} AND ts >= toDateTime64({int(start)}, 3, 'UTC') "
            f"AND ts < toDateTime64({int(end)}, 3, 'UTC') GROUP BY t{SMALL_READ}"), {"site": site}


def _raw_minutes(db: str, flag: bool = True) -> str:
    return (f"SELECT toUInt32(toStartOfMinute(ts)) AS t, countIf({COUNTED}), count(), "
            f"uniqCombinedIf(12)(visitor, {COUNTED}){', 1' if flag else ''} FROM {db}.events WHERE site = {{site:String}}")


def _minute_keys(site: str, minutes: list[int]) -> tuple[str, dict]:
    """A (site, minutes) condition on ``minute`` that prunes to the span of these minutes."""
    keys = ", ".join(str(int(m)) for m in minutes)
    return (f"site = {{site:String}} AND minute >= toDateTime({min(minutes)}, 'UTC') "
            f"AND minute <= toDateTime({max(minutes)}, 'UTC') AND toUInt32(minute) IN ({keys})"), {"site": site}


def closed_visitors(db: str, site: str, minutes: list[int]) -> tuple[str, dict]:
    """Rows (epoch seconds, events, visitors) of these minutes' closings (``site_minute_closed``,
    possibly several per minute until ReplacingMergeTree merges them)."""
    where, params = _minute_keys(site, minutes)
    return f"SELECT toUInt32(minute), events, visitors FROM {db}.site_minute_closed WHERE {where}", params


def minute_visitors(db: str, site: str, minutes: list[int]) -> tuple[str, dict]:
    """Rows (epoch seconds, views, events, visitors) of these minutes merged from the minute rollup."""
    where, params = _minute_keys(site, minutes)
    return (f"SELECT toUInt32(minute) AS t, sum(views), sum(events), uniqCombinedMerge(12)(visitors) "
            f"FROM {site_source(db, 'minute')} AND {where} GROUP BY t"), params


def raw_minute_visitors(db: str, site: str, minutes: list[int]) -> tuple[str, dict]:
    """Rows (epoch seconds, views, events, visitors, 1) of these whole minutes counted from the
    events: the same ``uniqCombined(12)`` over the same rows as the rollup's states, so the same
    number while the events hold the rows the rollup does (the caller checks ``events``),
    without deserialising a granule of other minutes' states (thousands of hash sets) to
    reach the few it wants."""
    keys = ", ".join(str(int(m)) for m in minutes)
    sql = (f"{_raw_minutes(db)} AND ts >= toDateTime64({min(minutes)}, 3, 'UTC') "
           f"AND ts < toDateTime64({max(minutes) + 60}, 3, 'UTC') AND t IN ({keys}) GROUP BY t")
    return sql, {"site": site}


def close_minutes(db: str, since: datetime, before: datetime) -> tuple[str, dict]:
    """Finalise the visitors of the minutes in [since, before) whose closed row is missing or stale."""
    span = "minute >= {since:DateTime('UTC')} AND minute < {before:DateTime('UTC')}"
    rows = site_source(db, "minute")
    sql = (
        f"INSERT INTO {db}.site_minute_closed SELECT site, minute, uniqCombinedMerge(12)(visitors), sum(events) "
        f"FROM {rows} AND {span} AND (site, minute) IN ("
        f"SELECT site, minute FROM {rows} AND {span} GROUP BY site, minute "
        f"HAVING (site, minute, sum(events)) NOT IN (SELECT site, minute, max(events) FROM {db}.site_minute_closed "
        f"WHERE {span} GROUP BY site, minute)) GROUP BY site, minute"
    )
    return sql, {"since": since.replace(tzinfo=None), "before": before.replace(tzinfo=None)}


def series(db: str, q: SeriesQuery, raw_from: datetime | None = None) -> tuple[str, dict]:
    r = q.range
    source = _source(db, r)
    if q.interval != "1m" and _whole_site(r):
        rows, params = _site_rows(db, r, raw_from)
        bucket = BUCKET[q.interval].replace("minute", "m")
        return (f"SELECT {bucket} AS t, sum(views) AS views, uniqCombinedMerge(12)(visitors) AS visitors "
                f"FROM ({rows}) GROUP BY t HAVING views > 0 ORDER BY t{SMALL_READ}"), params
    if source is None:
        sql = (
            f"SELECT {RAW_BUCKET[q.interval]} AS t, count() AS views, uniqCombined(12)(visitor) AS visitors "
            f"FROM {db}.events FINAL WHERE {_where(r, 'ts')} AND {COUNTED} GROUP BY t ORDER BY t"
        )
    else:
        sql = (
            f"SELECT {BUCKET[q.interval]} AS t, sum(views) AS views, "
            f"uniqCombinedMerge(12)(visitors) AS visitors "
            f"FROM {source} {_where(r, 'minute')} GROUP BY t HAVING views > 0 ORDER BY t"
        )
    return sql, _params(r)


def top(db: str, q: TopQuery) -> tuple[str, dict]:
    r = q.range
    rows = DIM_ROWS[q.dimension]  # path or referrer_host only
    other = r.referrer if q.dimension == "path" else r.path
    if other is None and not r.filters:  # filtered on its own dimension at most: ``_where`` picks its rows
        own = r.path if q.dimension == "path" else r.referrer
        where = _where(r, "minute") + ("" if own is not None else f" AND {rows}")
        sql = (
            "SELECT value AS k, sum(views) AS v, uniqCombinedMerge(12)(visitors) AS u "
            f"FROM {db}.dim_minute WHERE {where} "
            f"GROUP BY k HAVING v > 0 ORDER BY v DESC, k LIMIT {int(q.limit)}"
        )
    else:
        sql = (
            f"SELECT {q.dimension} AS k, count() AS v, uniqCombined(12)(visitor) AS u "
            f"FROM {db}.events FINAL WHERE {_where(r, 'ts')} AND {COUNTED} "
            f"GROUP BY k ORDER BY v DESC, k LIMIT {int(q.limit)}"
        )
    return sql, _params(r)


def totals(db: str, r: Range, raw_from: datetime | None = None) -> tuple[str, dict]:
    source = _source(db, r)
    if _whole_site(r):
        rows, params = _site_rows(db, r, raw_from)
        return f"SELECT sum(views), uniqCombinedMerge(12)(visitors) FROM ({rows}){SMALL_READ}", params
    if source is None:
        sql = (
            f"SELECT count(), uniqCombined(12)(visitor) FROM {db}.events FINAL "
            f"WHERE {_where(r, 'ts')} AND {COUNTED}"
        )
    else:
        sql = f"SELECT sum(views), uniqCombinedMerge(12)(visitors) FROM {source} {_where(r, 'minute')}"
    return sql, _params(r)


def watermark(db: str) -> tuple[str, dict]:
    return f"SELECT max(received_max) FROM {site_source(db, 'minute')}", {}


def stored_blocks(db: str, topic: str, partition: int, from_offset: int) -> tuple[str, dict]:
    return (
        f"SELECT DISTINCT _batch FROM {db}.events WHERE _topic = {{topic:String}} "
        "AND _partition = {partition:UInt32} AND _offset >= {offset:UInt64}",
        {"topic": topic, "partition": partition, "offset": from_offset},
    )
