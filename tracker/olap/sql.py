"""ClickHouse SQL for the query API, served from the rollups with -Merge combinators.

Every function returns ``(sql, parameters)`` for server-side binding; the database
name is ours (from settings) and the only thing formatted into the text.
"""

from __future__ import annotations

from tracker.olap.schema import COUNTED
from tracker.query.model import Range, SeriesQuery, TopQuery

BUCKET = {"1m": "minute", "1h": "toStartOfHour(minute)", "1d": "toStartOfDay(minute)"}
RAW_BUCKET = {"1m": "toStartOfMinute(ts)", "1h": "toStartOfHour(ts)", "1d": "toStartOfDay(ts)"}


def _params(r: Range) -> dict:
    return {
        "site": r.site,
        "start": r.start.replace(tzinfo=None),
        "end": r.end.replace(tzinfo=None),
        "path": r.path or "",
        "referrer": r.referrer or "",
    }


def _source(db: str, r: Range) -> str | None:
    """The rollup that answers this range's filters, or None (raw events needed)."""
    if r.path is not None and r.referrer is not None:
        return None
    if r.path is not None:
        return f"{db}.page_minute"
    if r.referrer is not None:
        return f"{db}.referrer_minute"
    return f"{db}.site_minute"


def _where(r: Range, time_col: str) -> str:
    parts = [
        "site = {site:String}",
        f"{time_col} >= {{start:DateTime64(3, 'UTC')}}",
        f"{time_col} < {{end:DateTime64(3, 'UTC')}}",
    ]
    if r.path is not None:
        parts.append("path = {path:String}")
    if r.referrer is not None:
        parts.append("referrer_host = {referrer:String}")
    return " AND ".join(parts)


def series(db: str, q: SeriesQuery) -> tuple[str, dict]:
    r = q.range
    source = _source(db, r)
    if source is None:
        sql = (
            f"SELECT {RAW_BUCKET[q.interval]} AS t, count() AS views, uniqCombined(12)(visitor) AS visitors "
            f"FROM {db}.events FINAL WHERE {_where(r, 'ts')} AND {COUNTED} GROUP BY t ORDER BY t"
        )
    else:
        sql = (
            f"SELECT {BUCKET[q.interval]} AS t, sum(views) AS views, "
            f"uniqCombinedMerge(12)(visitors) AS visitors "
            f"FROM {source} WHERE {_where(r, 'minute')} GROUP BY t HAVING views > 0 ORDER BY t"
        )
    return sql, _params(r)


def top(db: str, q: TopQuery) -> tuple[str, dict]:
    r = q.range
    rollup = {"path": "page_minute", "referrer_host": "referrer_minute"}[q.dimension]
    other = r.referrer if q.dimension == "path" else r.path
    if other is None:
        sql = (
            f"SELECT {q.dimension} AS k, sum(views) AS v, uniqCombinedMerge(12)(visitors) AS u "
            f"FROM {db}.{rollup} WHERE {_where(r, 'minute')} "
            f"GROUP BY k HAVING v > 0 ORDER BY v DESC, k LIMIT {int(q.limit)}"
        )
    else:
        sql = (
            f"SELECT {q.dimension} AS k, count() AS v, uniqCombined(12)(visitor) AS u "
            f"FROM {db}.events FINAL WHERE {_where(r, 'ts')} AND {COUNTED} "
            f"GROUP BY k ORDER BY v DESC, k LIMIT {int(q.limit)}"
        )
    return sql, _params(r)


def totals(db: str, r: Range) -> tuple[str, dict]:
    source = _source(db, r)
    if source is None:
        sql = (
            f"SELECT count(), uniqCombined(12)(visitor) FROM {db}.events FINAL "
            f"WHERE {_where(r, 'ts')} AND {COUNTED}"
        )
    else:
        sql = f"SELECT sum(views), uniqCombinedMerge(12)(visitors) FROM {source} WHERE {_where(r, 'minute')}"
    return sql, _params(r)


def watermark(db: str) -> tuple[str, dict]:
    return f"SELECT max(received_max) FROM {db}.site_minute", {}


def stored_blocks(db: str, topic: str, partition: int, from_offset: int) -> tuple[str, dict]:
    return (
        f"SELECT DISTINCT _batch FROM {db}.events WHERE _topic = {{topic:String}} "
        "AND _partition = {partition:UInt32} AND _offset >= {offset:UInt64}",
        {"topic": topic, "partition": partition, "offset": from_offset},
    )
