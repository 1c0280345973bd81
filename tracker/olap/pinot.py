"""Apache Pinot adapter (a MetricsSource only): pinotdb's DB-API against the broker.

Pinot ingests the topic itself (see ``pinot_config``), so there is no sink and no
rollup: queries aggregate the raw realtime table with Pinot SQL (``DATETRUNC``,
``DISTINCTCOUNTHLL``), always with an explicit LIMIT (Pinot's default is 10 rows).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from urllib.parse import urlparse

from tracker.olap.port import MetricsSource, OlapUnavailable
from tracker.model import DIMENSIONS, BreakdownQuery, BreakdownRow, Scope, Summary
from tracker.model import RANGE_FILTERS, Bucket, Range, SeriesQuery, TopItem, TopQuery, Totals

UNIT = {"1m": "MINUTE", "1h": "HOUR", "1d": "DAY"}
COUNTED = "name = 'pageview' AND is_bot = false"
MAX_GROUPS = 100_000


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _from_ms(value) -> datetime:
    return datetime.fromtimestamp(float(value) / 1000, tz=UTC)


def _where(r: Range) -> tuple[str, dict]:
    parts = ["site = %(site)s", "ts >= %(start)s", "ts < %(end)s", COUNTED]
    params = {"site": r.site, "start": _ms(r.start), "end": _ms(r.end)}
    if r.path is not None:
        parts.append("path = %(path)s")
        params["path"] = r.path
    if r.referrer is not None:
        parts.append("referrer_host = %(referrer)s")
        params["referrer"] = r.referrer
    for i, (column, value) in enumerate(r.filters):
        if column not in RANGE_FILTERS:  # the only names a range filter puts into the SQL text
            raise ValueError(f"not a range filter: {column!r}")
        parts.append(f"{column} = %(rf{i})s")
        params[f"rf{i}"] = value
    return " AND ".join(parts), params


def series_sql(table: str, q: SeriesQuery) -> tuple[str, dict]:
    where, params = _where(q.range)
    return (f"SELECT DATETRUNC('{UNIT[q.interval]}', ts) AS t, COUNT(*) AS views, DISTINCTCOUNTHLL(visitor) AS visitors "
            f"FROM {table} WHERE {where} GROUP BY DATETRUNC('{UNIT[q.interval]}', ts) "
            f"ORDER BY DATETRUNC('{UNIT[q.interval]}', ts) LIMIT {MAX_GROUPS}"), params


def top_sql(table: str, q: TopQuery) -> tuple[str, dict]:
    where, params = _where(q.range)
    dim = {"path": "path", "referrer_host": "referrer_host"}[q.dimension]
    return (f"SELECT {dim}, COUNT(*) AS views, DISTINCTCOUNTHLL(visitor) AS visitors FROM {table} "
            f"WHERE {where} GROUP BY {dim} ORDER BY COUNT(*) DESC, {dim} LIMIT {int(q.limit)}"), params


def totals_sql(table: str, r: Range) -> tuple[str, dict]:
    where, params = _where(r)
    return f"SELECT COUNT(*), DISTINCTCOUNTHLL(visitor) FROM {table} WHERE {where}", params


COLUMNS = frozenset(DIMENSIONS.values())  # the only names a breakdown puts into the SQL text


def _column(name: str) -> str:
    if name not in COLUMNS:
        raise ValueError(f"not a breakdown dimension: {name!r}")
    return name


def _scope_where(s: Scope, counted: str = COUNTED) -> tuple[str, dict]:
    parts = ["site = %(site)s", "ts >= %(start)s", "ts < %(end)s", counted]
    params = {"site": s.site, "start": _ms(s.start), "end": _ms(s.end)}
    for i, (column, value) in enumerate(s.filters):
        parts.append(f"{_column(column)} = %(f{i})s")
        params[f"f{i}"] = value
    return " AND ".join(parts), params


def breakdown_sql(table: str, q: BreakdownQuery) -> tuple[str, dict]:
    where, params = _scope_where(q.scope)
    dim = _column(q.dimension)
    return (f"SELECT {dim}, COUNT(*) AS views, DISTINCTCOUNTHLL(visitor) AS visitors FROM {table} "
            f"WHERE {where} GROUP BY {dim} ORDER BY COUNT(*) DESC, {dim} LIMIT {int(q.limit)}"), params


def summary_sql(table: str, s: Scope) -> list[tuple[str, dict]]:
    """Totals, then the median engaged time of the engagement events.  Visits and bounces need a
    visitor's page views in order, which Pinot has no rollup or array functions for here: None."""
    where, params = _scope_where(s)
    engaged_where, engaged_params = _scope_where(s, "name = 'engagement' AND is_bot = false")
    return [
        (f"SELECT COUNT(*), DISTINCTCOUNTHLL(visitor) FROM {table} WHERE {where}", params),
        (f"SELECT PERCENTILETDIGEST(JSONEXTRACTSCALAR(props, '$.engaged_ms', 'LONG', 0), 50), COUNT(*) "
         f"FROM {table} WHERE {engaged_where}", engaged_params),
    ]


class PinotSource(MetricsSource):
    def __init__(self, connection, table: str = "tessera_events") -> None:
        self.connection = connection
        self.table = table
        self.lock = threading.Lock()
        self._cursor = None

    @classmethod
    def connect(cls, dsn: str, table: str = "tessera_events", **kwargs) -> PinotSource:
        """``http(s)://[user:pass@]broker:8099[/query/sql]``."""
        from pinotdb import connect

        url = urlparse(dsn)
        connection = connect(host=url.hostname or "127.0.0.1", port=url.port or 8099,
                             path=url.path if url.path not in ("", "/") else "/query/sql",
                             scheme=url.scheme or "http", username=url.username, password=url.password, **kwargs)
        return cls(connection, table)

    def _rows(self, sql: str, params: dict) -> list:
        with self.lock:
            try:
                if self._cursor is None:
                    self._cursor = self.connection.cursor()
                self._cursor.execute(sql, params)
                return self._cursor.fetchall()
            except Exception as exc:  # pinotdb.exceptions.* and httpx errors
                raise OlapUnavailable(f"pinot: {exc}") from exc

    def series(self, query: SeriesQuery) -> list[Bucket]:
        rows = self._rows(*series_sql(self.table, query))
        return [Bucket(_from_ms(t), int(v), int(u)) for t, v, u in rows if int(v) > 0]

    def top(self, query: TopQuery) -> list[TopItem]:
        return [TopItem(str(k), int(v), int(u)) for k, v, u in self._rows(*top_sql(self.table, query))]

    def totals(self, range_: Range) -> Totals:
        rows = self._rows(*totals_sql(self.table, range_))
        views, visitors = rows[0] if rows else (0, 0)
        return Totals(int(views or 0), int(visitors or 0))

    def breakdown(self, query: BreakdownQuery) -> list[BreakdownRow]:
        return [BreakdownRow(str(k), int(v), int(u)) for k, v, u in self._rows(*breakdown_sql(self.table, query))]

    def summary(self, scope: Scope) -> Summary:
        totals, engaged = (self._rows(*q) for q in summary_sql(self.table, scope))
        views, visitors = totals[0] if totals else (0, 0)
        median, count = engaged[0] if engaged else (None, 0)
        return Summary(int(views or 0), int(visitors or 0),
                       engaged_ms=float(median) if count and median is not None else None)

    def watermark(self) -> datetime | None:
        rows = self._rows(f"SELECT MAX(received_at) FROM {self.table}", {})
        value = rows[0][0] if rows else None
        if value is None or float(value) <= 0 or float(value) == float("-inf"):
            return None
        return _from_ms(value)

    def close(self) -> None:
        with self.lock:
            self.connection.close()
