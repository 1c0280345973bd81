"""ClickHouse SQL for breakdowns and KPI summaries (``tracker.query.breakdown``).

A breakdown reads ``breakdown_span`` for the whole hours of its range (the fewest of its days,
12-hour and four-hour spans and hours that tile them, in one read: ``_segments``), and the
events table for ragged edges (at most two partial hours; the API asks for whole hours),
merging the visitor states of all; a filter set the rollup is not keyed by (see ``plan``) is
answered by a scan of the events table.  Column names come from ``schema.BREAKDOWN_DIMENSIONS``
only; every value (site, times, filter values) is a bound parameter.  Each function returns
``(sql, parameters)``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from tracker.olap.schema import BREAKDOWN_DIMENSIONS, BREAKDOWN_FILTERS, COUNTED, SPAN_WINDOWS
from tracker.model import VISIT_GAP, BreakdownQuery, Scope

Plan = tuple[str, str, str, str | None]  # (filter_dim, filter_value, dim, value or None)
T = "DateTime64(3, 'UTC')"


def _column(name: str) -> str:
    if name not in BREAKDOWN_DIMENSIONS:
        raise ValueError(f"not a breakdown dimension: {name!r}")
    return name


def plan(filters: dict[str, str], dim: str | None) -> Plan | None:
    """Which rows of ``breakdown_span`` answer ``dim`` under ``filters`` (``dim`` None: the
    totals), or None when the rollup is not keyed by this combination (a raw scan)."""
    for f in ("", *BREAKDOWN_FILTERS):
        if f and f not in filters:
            continue
        rest = {k: v for k, v in filters.items() if k != f}
        if dim is not None:
            targets = [dim]
        elif len(rest) == 1:
            targets = list(rest)
        elif not rest:
            targets = ["device"]  # any dimension sums to the totals; this one has the fewest states
        else:
            targets = []
        for d in targets:
            if d != f and set(rest) <= {d}:
                return f, filters.get(f, ""), d, rest.get(d)
    return None


def _ceil_hour(t: datetime) -> datetime:
    floor = t.replace(minute=0, second=0, microsecond=0)
    return floor if floor == t else floor + timedelta(hours=1)


def _base_params(s: Scope) -> dict:
    return {"site": s.site, "start": s.start.replace(tzinfo=None), "end": s.end.replace(tzinfo=None)}


def _matches(s: Scope, params: dict) -> str:
    """The filters as a conjunction over the events table, their values bound as f0, f1 …"""
    parts = []
    for i, (column, value) in enumerate(s.filters):
        params[f"f{i}"] = value
        parts.append(f"{_column(column)} = {{f{i}:String}}")
    return " AND ".join(parts)


def _raw_where(s: Scope, params: dict, span: str) -> str:
    match = _matches(s, params)
    return f"site = {{site:String}} AND {span} AND {COUNTED}" + (f" AND {match}" if match else "")


# A breakdown read is small (a few hundred rollup rows) and most of its cost is planning it: one
# thread, no PREWHERE planning (the key already narrows the read to a granule or two), and no
# pass of plan optimizations (the key is still used: 0.06-0.4 ms less a read in every plan).
# Written into the text: chDB's client sends per-call settings as a clause it appends anyway.
SMALL_READ = " SETTINGS max_threads = 1, optimize_move_to_prewhere = 0, query_plan_enable_optimizations = 0"


def _rows(db: str, s: Scope, dim: str, grouped: bool) -> tuple[str, dict, bool, str] | None:
    """A subquery of (k, views, visitors-state) rows covering the scope, from the rollup
    and the edges, or None when the rollup cannot answer it; whether it is one read of one
    rollup table with no edges, whose ``SELECT ... FROM ... WHERE`` the caller may aggregate
    directly (``_flat``: each more read in a query cost ~3.5 ms of planning in chDB, a
    subquery around the one read ~0.5 ms); and the settings clause for the query (none
    where it scans events for the edges)."""
    p = plan(s.filter_map(), dim if grouped else None)
    if p is None:
        return None
    filter_dim, filter_value, rollup_dim, value = p
    params = _base_params(s)
    h0, h1 = _ceil_hour(s.start), s.end.replace(minute=0, second=0, microsecond=0)
    if h0 >= h1:  # no whole hour: the events alone
        spans = [f"ts >= {{start:{T}}} AND ts < {{end:{T}}}"]
    else:
        params.update(h0=h0.replace(tzinfo=None), h1=h1.replace(tzinfo=None))
        spans = [span for span, ragged in ((f"ts >= {{start:{T}}} AND ts < {{h0:{T}}}", s.start < h0),
                                           (f"ts >= {{h1:{T}}} AND ts < {{end:{T}}}", h1 < s.end)) if ragged]
    value_col = f"toString({_column(rollup_dim)})" if grouped else "''"
    edges = ""
    if spans:
        span = " OR ".join(f"({x})" for x in spans)
        edges = (f"SELECT {value_col} AS k, count() AS views, uniqCombinedState(12)(visitor) AS visitors "
                 f"FROM {db}.events WHERE {_raw_where(s, params, f'({span})')} GROUP BY k")
    if h0 >= h1:
        return edges, params, False, ""
    # the rows as one set of whole keys (site, dim, filter, span, start[, value]): a key range
    # each in the index, and one condition to analyse.  ~0.6 ms less a read than the four
    # equalities beside a (span, start) set, which planned ~1.4 ms less than OR'ed ranges
    fixed = ", value" if value is not None else ""
    params["keys"] = [(s.site, rollup_dim, filter_dim, filter_value, span, t, *(() if value is None else (value,)))
                      for span, lo, hi in _segments(h0, h1)
                      for t in range(int(lo.timestamp()), int(hi.timestamp()), span)]
    if not edges:  # only the keys are read: no unused values to format and send
        params = {"keys": params["keys"]}
    types = "String, String, String, String, UInt32, UInt32" + (", String" if value is not None else "")
    rolled = (f"SELECT {'value' if grouped else chr(39) * 2} AS k, views, visitors FROM {db}.breakdown_span "
              f"WHERE (site, dim, filter_dim, filter_value, span, toUInt32(start){fixed}) "
              f"IN {{keys:Array(Tuple({types}))}}")
    return (rolled + (f" UNION ALL {edges}" if edges else ""), params, not edges, "" if edges else SMALL_READ)


def _flat(rows: str) -> str:
    """The ``FROM ... WHERE ...`` of a one-read subquery (see ``_rows``)."""
    return rows[rows.index(" FROM "):]


DAY = 86400
LONGEST_FIRST = sorted(SPAN_WINDOWS, reverse=True)


@lru_cache(maxsize=4096)
def _fewest(start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The fewest ``breakdown_span`` rows (span, start) that tile the whole hours [start, end),
    seconds from a UTC midnight (every step of ``SPAN_WINDOWS`` divides a day, so a tiling moves
    by whole days unchanged): a shortest path over the hours, trying the longest span first at
    each hour and keeping the first path found where two take as many rows."""
    best: dict[int, tuple[tuple[int, int], ...]] = {start: ()}
    for t in range(start, end, 3600):
        here = best.get(t)
        if here is None:
            continue
        for length, step in LONGEST_FIRST:
            there = best.get(t + length)
            if t % step == 0 and t + length <= end and (there is None or len(there) > len(here) + 1):
                best[t + length] = (*here, (length, t))
    return best[end]


def _segments(h0: datetime, h1: datetime) -> list[tuple[int, datetime, datetime]]:
    """Whole hours [h0, h1) as runs (span seconds, from, to) of ``breakdown_span`` rows, the
    fewest rows that tile them (``_fewest``: 25 hours are at most three).  Past three days, whole
    days between a head and a tail of one to two days each, tiled the same way."""
    a, b = int(h0.timestamp()), int(h1.timestamp())
    base = a - a % DAY
    if b - a <= 3 * DAY:
        keys = [(span, base + t) for span, t in _fewest(a - base, b - base)]
    else:
        m0, m1 = base + 2 * DAY, b - b % DAY - DAY
        keys = [(span, base + t) for span, t in _fewest(a - base, 2 * DAY)]
        keys += [(DAY, t) for t in range(m0, m1, DAY)]
        keys += [(span, m1 + t) for span, t in _fewest(0, b - m1)]
    out: list[list[int]] = []
    for span, t in keys:
        if out and out[-1][0] == span and out[-1][2] == t:
            out[-1][2] = t + span
        else:
            out.append([span, t, t + span])
    return [(span, datetime.fromtimestamp(lo, UTC), datetime.fromtimestamp(hi, UTC)) for span, lo, hi in out]


def breakdown(db: str, q: BreakdownQuery, narrow: bool = False, known: tuple[str, ...] = ()) -> tuple[str, dict]:
    """Rows (value, views, visitors), most viewed first, from the rollup where it can.

    ``narrow``: the dimension is known to have fewer values than the limit here (an earlier
    answer had fewer rows), so every value's states are merged anyway: one read of the rollup
    rows, not two, in no particular order when it is one read of one table (``ranked`` orders
    and cuts them: sorting a few rows in chDB cost ~1 ms of planning).  ``known``: the values an
    earlier answer of this shape held: one read ranks
    every value by its views and merges the states of these values only, and each row says
    whether its value was one of them (a fourth column, 1 or 0): the answer is exact when every
    row says 1, else the caller asks again without ``known``.  Otherwise a first pass ranks the
    values without reading a state and the second merges the states of the top ``limit`` only.
    The rows are the same whichever plan answers (after ``ranked``)."""
    found = _rows(db, q.scope, q.dimension, grouped=True)
    if found is None:
        return breakdown_raw(db, q)
    rows, params, flat, tail = found
    order = f" ORDER BY v DESC, k LIMIT {int(q.limit)}"
    if narrow:
        if flat:
            return (f"SELECT value AS k, sum(views) AS v, uniqCombinedMerge(12)(visitors) AS u{_flat(rows)} "
                    f"GROUP BY k{tail}"), params
        return (f"SELECT k, sum(views) AS v, uniqCombinedMerge(12)(visitors) AS u FROM ({rows}) "
                f"GROUP BY k{order}{tail}"), params
    if known:
        params["known"] = list(known)
        return (f"SELECT {'value AS ' if flat else ''}k, sum(views) AS v, "
                "uniqCombinedMergeIf(12)(visitors, k IN {known:Array(String)}) AS u, k IN {known:Array(String)}"
                f"{_flat(rows) if flat else f' FROM ({rows})'} GROUP BY k{order}{tail}"), params
    top = f"SELECT k FROM ({rows}) GROUP BY k ORDER BY sum(views) DESC, k LIMIT {int(q.limit)}"
    return (f"SELECT k, sum(views) AS v, uniqCombinedMerge(12)(visitors) AS u FROM ({rows}) "
            f"WHERE k IN ({top}) GROUP BY k ORDER BY v DESC, k{tail}"), params  # states merged for the top values only


def ranked(rows: list[tuple], limit: int) -> list[tuple]:
    """Rows (value, views, ...) most viewed first, ties by value, the first ``limit``: the order
    the SQL's ``ORDER BY v DESC, k`` gives (a str's code points sort as its UTF-8 bytes do)."""
    return sorted(rows, key=lambda r: (-r[1], r[0]))[:limit]


def breakdown_raw(db: str, q: BreakdownQuery) -> tuple[str, dict]:
    """The same breakdown by a scan of the events table."""
    s, params = q.scope, _base_params(q.scope)
    where = _raw_where(s, params, f"ts >= {{start:{T}}} AND ts < {{end:{T}}}")
    return (f"SELECT toString({_column(q.dimension)}) AS value, count() AS v, uniqCombined(12)(visitor) AS u "
            f"FROM {db}.events WHERE {where} GROUP BY value ORDER BY v DESC, value LIMIT {int(q.limit)}"), params


def totals(db: str, s: Scope) -> tuple[str, dict]:
    """(views, visitors) of the scope."""
    found = _rows(db, s, "", grouped=False)
    if found is None:
        return totals_raw(db, s)
    rows, params, flat, tail = found
    source = _flat(rows) if flat else f" FROM ({rows})"
    return f"SELECT sum(views), uniqCombinedMerge(12)(visitors){source}{tail}", params


def totals_raw(db: str, s: Scope) -> tuple[str, dict]:
    """The same totals by a scan of the events table."""
    params = _base_params(s)
    where = _raw_where(s, params, f"ts >= {{start:{T}}} AND ts < {{end:{T}}}")
    return f"SELECT count(), uniqCombined(12)(visitor) FROM {db}.events WHERE {where}", params


def visits(db: str, s: Scope) -> tuple[str, dict]:
    """(visits, bounces, views of those visits) by a scan of the events table (the store reads
    ``visit_hour`` where it can: ``olap.visits``): a visitor's counted page views in the scope's
    range split where two are more than VISIT_GAP apart; a visit counts when one of its page
    views matches the filters, and bounces when it has one page view.  One pass: per visitor,
    array functions over its page views sorted by time (no second GROUP BY)."""
    params = {**_base_params(s), "gap": int(VISIT_GAP.total_seconds())}
    match = _matches(s, params) or "1"
    per_visitor = (
        f"SELECT arraySort(groupArray((toUInt32(ts), toUInt8({match})))) AS h, "
        "arrayMap((d, i) -> toUInt8(i = 1 OR d > {gap:UInt32}), arrayDifference(arrayMap(x -> x.1, h)), "
        "arrayEnumerate(h)) AS starts, arrayCumSum(starts) AS sid, "
        "arrayFilter(v -> v > 0, arrayDistinct(arrayMap((v, x) -> v * x.2, sid, h))) AS matched, "
        "length(matched) AS visits, "
        "arrayCount((st, i) -> st = 1 AND (i = length(h) OR starts[i + 1] = 1) AND has(matched, sid[i]), "
        "starts, arrayEnumerate(h)) AS bounces, "
        "arrayCount(v -> has(matched, v), sid) AS views "
        f"FROM {db}.events WHERE site = {{site:String}} AND ts >= {{start:{T}}} AND ts < {{end:{T}}} "
        f"AND {COUNTED} GROUP BY visitor"
    )
    return f"SELECT sum(visits), sum(bounces), sum(views) FROM ({per_visitor})", params


def engaged(db: str, s: Scope) -> tuple[str, dict]:
    """(median engaged ms, engagement events) of the scope's non-bot t.js engagement events."""
    params = _base_params(s)
    match = _matches(s, params)
    return (f"SELECT quantileExact(0.5)(toUInt64OrZero(props['engaged_ms'])), count() FROM {db}.events "
            f"WHERE site = {{site:String}} AND ts >= {{start:{T}}} AND ts < {{end:{T}}} "
            f"AND name = 'engagement' AND NOT is_bot{' AND ' + match if match else ''}"), params
