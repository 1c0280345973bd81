"""ClickHouse SQL for the visits of a KPI summary (visits, bounces, views of those visits),
read from ``visit_hour`` (see ``schema.visit_statements``) instead of sessionising a range's
page views per visitor on every request.

A visit is a visitor's page views no more than VISIT_GAP apart (``tracker.model``); it counts
under a filter when one of its page views matches.  ``visit_hour`` keeps, per closed hour and
per filter key (``('', '')`` for no filter, else one (dimension, value) of
``BREAKDOWN_DIMENSIONS``), visitor-free numbers from which any range of whole hours adds up:

* ``kind = 1`` (pieces): the hour's visits *split at the hour boundaries* (sessions of the
  visitor's page views inside the hour): how many count, bounce, and their page views;
* ``kind = 2`` (joins, at the hour's start H): the correction for pieces that are one visit
  across H (the last piece of H-1 and the first of H no more than VISIT_GAP apart): merged
  minus split, for each key either piece holds.  ``risky`` marks a key for which a visit
  across H and H-1 (three pieces or more) does not match alike in its last three pieces
  (pairwise corrections are exact for a visit across one boundary, or whose pieces all match
  alike; any mixed visit across two boundaries shows in some such triple);
* ``kind = 0`` (one per hour): the counted page views in ``site_hour`` of the hour and the two
  before it (the joins read them) when it was closed: the rows hold while those still match.

Range ``[a, b)``: the pieces of its hours plus the joins at the boundaries strictly inside it
(the edges cut a visit as the raw sessionisation does).  No filter: exact (every piece
matches, so the joins telescope; a middle piece of a visit across two boundaries cannot be a
bounce: it would be within VISIT_GAP of both ends of its hour).  One filter: exact unless a
``risky`` join falls inside the range, where the store sessionises the raw events instead;
two filters or an unaligned range: the same.  Nothing is approximated.

Finished hours whose rows are missing or stale (a late event; the hour just over) are closed
by the read that finds them: one INSERT ... SELECT over those hours and the two before,
grouped by visitor once.  The hour under way is never closed (it grows between any two
reads, so each read would close it again: every key of three hours, written under the
store's write lock, a second a read on two busy cores): a read takes it from the events for
the one key asked (``read``'s ``live`` hours).  A cache checked against ``site_hour``: a
late or failed close costs speed, never accuracy (a failed close reads those hours from the
events for the one key asked too).  The cost is the close: every key of every page view of
the hours closed, so the first summary over a day of hours not closed yet costs several raw
sessionisations.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.model import VISIT_GAP, Scope
from tracker.olap.schema import BREAKDOWN_DIMENSIONS, COUNTED, SITE_ROWS, site_source

T = "DateTime('UTC')"
HOUR = timedelta(hours=1)
MAX_CLOSE = 24 * 8  # hours one read closes; a longer range not closed yet is sessionised meanwhile
# the filter keys a piece (array of page views) holds: no filter, and each (dimension, value) in it
_KEYS = ("arrayConcat([('', '')], arrayDistinct(arrayFlatten(arrayMap(x -> ["
         + ", ".join(f"('{d}', toString(x.{i + 2}))" for i, d in enumerate(BREAKDOWN_DIMENSIONS))
         + "], {p}))))")


def _keys(piece: str) -> str:
    return _KEYS.format(p=piece)


def aligned(s: Scope) -> bool:
    return all(t == t.replace(minute=0, second=0, microsecond=0) for t in (s.start, s.end)) and s.start < s.end


def key(s: Scope) -> tuple[str, str] | None:
    """The filter key a scope reads, or None when it has more than one filter."""
    if len(s.filters) > 1:
        return None
    return s.filters[0] if s.filters else ("", "")


def _naive(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None)


def state(db: str, s: Scope, arrivals_from: datetime | None = None) -> tuple[str, dict]:
    """Rows (tag, hour, a, b, c): tag 0 = counted views in ``site_hour`` of [start - 2 h, end),
    tag 1 = the newest close of each hour in [start, end) with the counts it saw of the hour and
    the two before (its joins read them); with ``arrivals_from`` (the hour under way), tag 2 =
    the newest arrival at the site in each hour from there on, in epoch milliseconds (see
    ``last_arrival``): read with the rest, not after it."""
    text = (
        f"SELECT 0 AS tag, hour, toUInt64(sum(views)) AS a, toUInt64(0) AS b, toUInt64(0) AS c FROM {site_source(db, 'hour')} AND site = {{site:String}} "
        f"AND hour >= {{lo:{T}}} AND hour < {{end:{T}}} GROUP BY hour "
        f"UNION ALL SELECT 1, hour, argMax(n, closed_at), argMax(n_prev, closed_at), argMax(n_prev2, closed_at) FROM {db}.visit_hour "
        f"WHERE site = {{site:String}} AND filter_dim = '' AND filter_value = '' AND kind = 0 "
        f"AND hour >= {{start:{T}}} AND hour < {{end:{T}}} GROUP BY hour"
    )
    params = {"site": s.site, "lo": _naive(s.start - 2 * HOUR), "start": _naive(s.start), "end": _naive(s.end)}
    if arrivals_from is not None:
        text += (" UNION ALL SELECT 2, toStartOfHour(minute) AS h, toUInt64(toUnixTimestamp64Milli(max(received_max))), "
                 f"toUInt64(0), toUInt64(0) FROM {site_source(db, 'minute')} AND site = {{site:String}} "
                 f"AND minute >= {{arrivals:{T}}} GROUP BY h")
        params["arrivals"] = _naive(arrivals_from)
    return text, params


QUIET = timedelta(minutes=1)  # an hour under way with no arrival for this long is closed like a finished one


def last_arrival(rows: list[tuple], since: datetime) -> datetime | None:
    """The newest arrival (``received_at``) at the site in the hours from ``since`` on, from
    ``state``'s tag 2 rows: an hour under way that has been quiet for ``QUIET`` is closed once,
    as a finished hour is (a later page view makes its rows stale again, so they are never read
    wrong; a small or idle site then reads rows, not events).  A replayed backlog carries old
    arrival times: it only costs a re-close."""
    since = _naive(since)
    found = [int(ms) for tag, h, ms, _, _ in rows if tag == 2 and _naive(h) >= since]
    return datetime.fromtimestamp(max(found) / 1000, UTC) if found else None


def quiet(last: datetime | None, now: datetime) -> bool:
    return last is None or _naive(last) <= _naive(now) - QUIET


def under_way(now: datetime) -> datetime:
    """The start of the hour under way (naive UTC, as ``stale`` lists hours): it and any later
    one are not over, so never closed (their rows would be stale at their next page view)."""
    return _naive(now).replace(minute=0, second=0, microsecond=0)


def stale(rows: list[tuple], s: Scope) -> list[datetime]:
    """The hours of [start, end) whose rows are missing or no longer match ``site_hour``: only
    hours with page views in them or in the two before, or with rows (a range from 1970 is not
    half a million hours to look at)."""
    counts = {_naive(h): int(n) for tag, h, n, _, _ in rows if tag == 0 and n}
    closed = {_naive(h): (int(n), int(p), int(p2)) for tag, h, n, p, p2 in rows if tag == 1}
    start, end = _naive(s.start), _naive(s.end)
    candidates = {h + i * HOUR for h in counts for i in range(3)} | set(closed)
    return sorted(h for h in candidates if start <= h < end
                  and closed.get(h, (0, 0, 0)) != tuple(counts.get(h - i * HOUR, 0) for i in range(3)))


def _key_only(k: tuple[str, str]):
    """Keys of a piece restricted to one filter key, whose column is the page views' only one
    (the live rows of one summary)."""
    if k[0] == "":
        return lambda p: "[('', '')]"
    return lambda p: f"arrayFilter(k -> arrayExists(x -> toString(x.2) = {{fv:String}}, {p}), [('{k[0]}', {{fv:String}})])"


def _rows_of(db: str, hours: list[datetime], keys_of=_keys, columns: tuple[str, ...] = BREAKDOWN_DIMENSIONS):
    """SELECT (kind, hour, filter_dim, filter_value, visits, bounces, views, risky) of ``hours``
    (pieces, and joins at their starts), from the events of those hours and the two before each;
    a page view is (t, *columns)."""
    view = f"(toUInt32(ts), {', '.join(columns)})" if columns else "tuple(toUInt32(ts))"
    hours = sorted(_naive(h) for h in hours)
    params = {"hours": hours, "lo": hours[0] - 2 * HOUR, "hi": hours[-1] + HOUR, "gap": int(VISIT_GAP.total_seconds())}
    within = f"hour IN {{hours:Array({T})}}"
    per_visitor = (
        # nested subqueries, not aliases: an alias is copied into each use, and analysing those
        # copies of nested lambdas took most of a small query's time (EXPLAIN alone)
        # a visitor's page views in order, split into pieces where the hour changes or two are more
        # than the gap apart; cross[j]: piece j continues the visit of piece j - 1 (across an hour)
        # items: (1, hour, piece, -, -) for each piece; (2, hour, a, b, c) for each pair a (the last
        # piece before the hour), b (its first) that is one visit across the hour's start, where
        # c is the piece before a when that visit also crossed into a's hour (a is its only piece)
        "SELECT arrayConcat(arrayMap(p -> (1, intDiv(p[1].1, 3600) * 3600, p, arraySlice(p, 1, 0), arraySlice(p, 1, 0)), ps), "
        "arrayMap(j -> (2, intDiv(ps[j][1].1, 3600) * 3600, ps[j - 1], ps[j], "
        "if(cross[j - 1], ps[j - 2], arraySlice(ps[j], 1, 0))), arrayFilter(j -> cross[j], arrayEnumerate(ps)))) AS items "
        "FROM (SELECT ps, arrayMap(j -> j > 1 AND intDiv(ps[j][1].1, 3600) != intDiv(ps[j - 1][-1].1, 3600) "
        "AND ps[j][1].1 - ps[j - 1][-1].1 <= {gap:UInt32}, arrayEnumerate(ps)) AS cross "
        "FROM (SELECT arraySplit((x, i) -> i > 1 AND (intDiv(x.1, 3600) != intDiv(h[i - 1].1, 3600) "
        "OR x.1 - h[i - 1].1 > {gap:UInt32}), h, arrayEnumerate(h)) AS ps "
        f"FROM (SELECT arraySort(x -> x.1, groupArray({view})) AS h "
        f"FROM {db}.events WHERE site = {{site:String}} AND ts >= {{lo:{T}}} AND ts < {{hi:{T}}} AND {COUNTED} "
        "GROUP BY visitor)))"
    )
    shapes = (  # items of the hours closed, counted by shape: the keys each piece holds and the lengths
        "SELECT kind, hour, ka, kb, kc, la, lb, count() AS c FROM ("
        f"SELECT it.1 AS kind, toDateTime(it.2, 'UTC') AS hour, {keys_of('it.3')} AS ka, "
        f"arrayFilter(k -> kind = 2, {keys_of('it.4')}) AS kb, arrayFilter(k -> notEmpty(it.5), {keys_of('it.5')}) AS kc, "
        "length(it.3) AS la, length(it.4) AS lb "
        f"FROM ({per_visitor}) ARRAY JOIN items AS it WHERE {within}) GROUP BY kind, hour, ka, kb, kc, la, lb"
    )
    ma, mb = "has(ka, k)", "has(kb, k)"  # the piece (before the boundary) / the piece after holds key k
    rows = (
        "SELECT kind, hour, k.1 AS fd, k.2 AS fv, "
        f"sum(toInt64(c) * if(kind = 1, toInt64({ma}), -toInt64({ma} AND {mb}))) AS visits, "
        f"sum(toInt64(c) * if(kind = 1, toInt64({ma} AND la = 1), "
        f"-toInt64(({ma} AND la = 1) + ({mb} AND lb = 1)))) AS bounces, "
        f"sum(toInt64(c) * if(kind = 1, toInt64({ma} * la), "
        f"toInt64(if({ma} OR {mb}, la + lb, 0)) - toInt64({ma} * la) - toInt64({mb} * lb))) AS views, "
        f"toUInt8(max(notEmpty(kc) AND (has(kc, k) != {ma} OR {ma} != {mb}))) AS risky "
        f"FROM ({shapes}) ARRAY JOIN arrayDistinct(arrayConcat(ka, kb, kc)) AS k GROUP BY kind, hour, fd, fv "
        "HAVING kind = 1 OR visits != 0 OR bounces != 0 OR views != 0 OR risky"
    )
    return rows, params


def _unfiltered_hour(db: str, hour: datetime) -> tuple[str, dict]:
    """SELECT (kind, hour, visits, bounces, views, risky): the unfiltered pieces of one hour and
    the join at its start, as ``_rows_of`` gives them for the key ('', ''), in one pass over the
    page views of the hour and the one before (the pieces of a visit across it), each beside its
    visitor's previous two and next page view (window functions).  The hour under way is read
    on every summary: the general SQL's nested lambdas took ~60 ms of CPU to analyse each time,
    per-visitor arrays ~25 ms, this ~20 (most of it planning, on small data).

    A page view t of the hour starts a piece when its visitor's previous one is before the hour
    or more than the gap before it (or there is none), and that piece is a bounce when the next
    one is more than the gap after t (or there is none); the first page view of the hour whose
    previous one, before the hour, is no more than the gap before it joins a visit across the
    hour's start: one visit less, and a bounce less for each side whose piece is that one page
    view alone (the views stay)."""
    at = hour.replace(tzinfo=UTC) if hour.tzinfo is None else hour.astimezone(UTC)  # stale() lists naive UTC
    params = {"live_at": int(at.timestamp()), "live_lo": _naive(at - HOUR), "live_hi": _naive(at + HOUR),
              "gap": int(VISIT_GAP.total_seconds())}
    gap = "{gap:UInt32}"
    # prev, prev2, next: 0 where there is none (every page view here is long after 1970)
    neighbours = (
        "SELECT toUInt32(ts) AS t, lagInFrame(t, 1) OVER w AS prev, lagInFrame(t, 2) OVER w AS prev2, "
        f"leadInFrame(t, 1) OVER w AS next FROM {db}.events "
        f"WHERE site = {{site:String}} AND ts >= {{live_lo:{T}}} AND ts < {{live_hi:{T}}} AND {COUNTED} "
        "WINDOW w AS (PARTITION BY visitor ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    )
    flags = (
        f"SELECT t, prev2, prev, next, prev = 0 OR prev < {{live_at:UInt32}} OR t - prev > {gap} AS starts, "
        f"prev != 0 AND prev < {{live_at:UInt32}} AND t - prev <= {gap} AS joins, next = 0 OR next - t > {gap} AS last "
        f"FROM ({neighbours}) WHERE t >= {{live_at:UInt32}}"
    )
    sums = (
        "SELECT toInt64(countIf(starts)) AS p, toInt64(countIf(starts AND last)) AS a, toInt64(count()) AS w, "
        f"toInt64(countIf(joins)) AS j, toInt64(countIf(joins AND (prev2 = 0 OR prev - prev2 > {gap})) "
        f"+ countIf(joins AND last)) AS ja FROM ({flags})"
    )
    return (
        "SELECT kind, toDateTime({live_at:UInt32}, 'UTC') AS hour, if(kind = 1, p, -j) AS visits, "
        f"if(kind = 1, a, -ja) AS bounces, if(kind = 1, w, 0) AS views, toUInt8(0) AS risky FROM ({sums}) "
        "ARRAY JOIN [1, 2] AS kind"
    ), params


def close(db: str, site: str, hours: list[datetime], closed_at: datetime) -> tuple[str, dict]:
    """INSERT the rows of ``hours`` under every filter key, and a count row each."""
    rows, params = _rows_of(db, hours)
    params.update(site=site, closed_at=closed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
    counts = (
        f"SELECT 0 AS kind, toDateTime(h, 'UTC') AS ch, '' AS fd, '' AS fv, toInt64(0) AS c1, "
        "toInt64(0) AS c2, toInt64(0) AS c3, toUInt8(0) AS c4, "  # names apart from breakdown_hour's columns
        "sumIf(views, hour = h) AS n, sumIf(views, hour + 3600 = h) AS n_prev, sumIf(views, hour + 7200 = h) AS n_prev2 "
        f"FROM {db}.{SITE_ROWS['hour'][0]} ARRAY JOIN {{hours:Array({T})}} AS h WHERE {SITE_ROWS['hour'][1]} "
        f"AND site = {{site:String}} AND hour >= {{lo:{T}}} AND hour < {{hi:{T}}} GROUP BY h"
    )
    sql = (
        f"INSERT INTO {db}.visit_hour (kind, hour, filter_dim, filter_value, visits, bounces, views, risky, "
        "n, n_prev, n_prev2, site, closed_at) "
        f"SELECT *, {{site:String}}, toDateTime64({{closed_at:String}}, 6, 'UTC') FROM ("
        f"SELECT *, toUInt64(0) AS n, toUInt64(0) AS n_prev, toUInt64(0) AS n_prev2 FROM ({rows}) "
        f"UNION ALL {counts})"
    )
    return sql, params


def read(db: str, s: Scope, k: tuple[str, str], live: list[datetime] = ()) -> tuple[str, dict]:
    """(visits, bounces, views, risky) of a whole-hour scope under one filter key: each closed
    hour's newest close (its pieces, and its joins for the hours after the first), and the
    ``live`` hours (not over yet) read from the events for this key alone."""
    params = {"site": s.site, "fd": k[0], "fv": k[1], "start": _naive(s.start), "end": _naive(s.end)}
    parts = [
        "SELECT kind, hour, visits, bounces, views, risky "
        f"FROM {db}.visit_hour WHERE site = {{site:String}} AND filter_dim = {{fd:String}} "
        f"AND filter_value = {{fv:String}} AND kind IN (1, 2) AND hour >= {{start:{T}}} AND hour < {{end:{T}}} "
        f"AND (hour, closed_at) IN (SELECT hour, max(closed_at) FROM {db}.visit_hour WHERE site = {{site:String}} "
        f"AND filter_dim = '' AND filter_value = '' AND kind = 0 AND hour >= {{start:{T}}} AND hour < {{end:{T}}} "
        "GROUP BY hour)"
    ]
    live = list(live)
    if k == ("", "") and len(live) == 1:  # the hour under way of an unfiltered summary
        rows, more = _unfiltered_hour(db, live[0])
        parts[0] += f" AND hour != toDateTime({{live_at:UInt32}}, 'UTC')"  # stale rows of a live hour stay out
        parts.append(rows)
        params.update(more)
    elif live:
        rows, more = _rows_of(db, live, _key_only(k), (k[0],) if k[0] else ())
        parts[0] += f" AND hour NOT IN {{hours:Array({T})}}"  # stale rows of a live hour stay out
        parts.append(f"SELECT kind, hour, visits, bounces, views, risky FROM ({rows})")
        params.update(more)
    return (
        "SELECT sum(visits), sum(bounces), sum(views), max(risky * (kind = 2)) FROM ("
        + " UNION ALL ".join(parts) + f") WHERE kind = 1 OR hour > {{start:{T}}}"
    ), params
