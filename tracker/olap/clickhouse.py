"""ClickHouse adapter over clickhouse-connect: embedded chDB (``chdb://``) or a server (``http(s)://``).

The same SQL runs on both. One client per process, guarded by a lock: chDB is one
engine per process and a clickhouse-connect session runs one query at a time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import clickhouse_connect

from tracker.olap import breakdowns, migrations, repair, sql, storage
from tracker.olap.arrow_batch import ArrowBuilder
from tracker.olap.gc_pause import gc_paused
from tracker.olap.port import EventSink, MetricsSource, OlapUnavailable, StagedBatch
from tracker.model import BreakdownQuery, BreakdownRow, Scope, Summary
from tracker.model import Bucket, Range, SeriesQuery, TopItem, TopQuery, Totals

INSERT_SETTINGS = {
    "insert_deduplicate": 1,
    "deduplicate_blocks_in_dependent_materialized_views": 1,  # the token reaches the rollups too
    "parallel_view_processing": 1,  # feed the rollup views concurrently (serial saved ~2 ms an insert but made kill -9 overcount)
    "optimize_on_insert": 0,  # ReplacingMergeTree collapses duplicates at merge time / FINAL anyway
}


QUERY_SETTINGS = {
    # rollups are ORDER BY (site, minute|hour): group the series in key order, streaming
    "optimize_aggregation_in_order": 1,
}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ClickHouseStore(EventSink, MetricsSource):
    def __init__(self, client, database: str = "tessera") -> None:
        self.client = client
        self.db = database
        self.lock = threading.Lock()
        self.arrow = ArrowBuilder()

    @classmethod
    def connect(cls, dsn: str, database: str = "tessera", **kwargs) -> ClickHouseStore:
        try:
            client = clickhouse_connect.get_client(dsn=dsn, **kwargs)
        except Exception as exc:  # driver-specific errors stop here
            raise OlapUnavailable(f"cannot open OLAP at {dsn.split('@')[-1]}: {exc}") from exc
        return cls(client, database)

    # -- schema ----------------------------------------------------------
    def migrate(self, ttl_days: int = 0) -> list[int]:
        """Apply pending migrations; return the versions applied now."""
        with self.lock:
            for statement in migrations.bootstrap_statements(self.db):
                self.client.command(statement)
            rows = self.client.query(f"SELECT version FROM {self.db}.schema_migrations").result_rows
            done = []
            for m in migrations.pending({r[0] for r in rows}):
                for statement in m.statements(self.db, ttl_days):
                    self.client.command(statement)
                self.client.insert(
                    f"{self.db}.schema_migrations", [[m.version, m.name]], column_names=["version", "name"]
                )
                done.append(m.version)
            engine = self.client.query(
                "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'events'",
                parameters={"db": self.db},
            ).result_rows[0][0]
            if not migrations.ttl_matches(engine, ttl_days):
                self.client.command(migrations.ttl_statement(self.db, ttl_days),
                                    settings={"materialize_ttl_after_modify": 0})
            for statement in storage.statements(self.client, self.db):  # every MergeTree table, new ones too
                self.client.command(statement)
            return done

    def applied_versions(self) -> list[int]:
        with self.lock:
            rows = self.client.query(f"SELECT DISTINCT version FROM {self.db}.schema_migrations ORDER BY version")
            return [r[0] for r in rows.result_rows]

    # -- sink ------------------------------------------------------------
    def insert(self, batch: StagedBatch, token: str) -> None:
        with gc_paused():
            table = self.arrow.build(batch, token)
        settings = {**INSERT_SETTINGS, "insert_deduplication_token": token}
        with self.lock:
            try:
                self.client.insert_arrow(f"{self.db}.events", table, settings=settings)
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc

    def restore_if_dropped(self, batch: StagedBatch, token: str) -> bool:
        with gc_paused():
            table = self.arrow.build(batch, token)
        with self.lock:
            try:
                return repair.restore_events(self.client, self.db, table, token)
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc

    def repair_replayed(self, tokens: list[str], pending: list[str] = ()) -> list[tuple[str, str]]:
        with self.lock:
            try:
                return repair.repair(self.client, self.db, tokens, list(pending))
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc

    def stored_blocks(self, topic: str, partition: int, from_offset: int) -> set[str]:
        rows = self._rows(*sql.stored_blocks(self.db, topic, partition, from_offset))
        return {r[0] for r in rows}

    # -- source ----------------------------------------------------------
    def series(self, query: SeriesQuery) -> list[Bucket]:
        r = query.range
        if query.interval == "1m" and r.path is None and r.referrer is None and not r.filters:
            return self._minute_series(r)
        rows = self._rows(*sql.series(self.db, query))
        return [Bucket(_utc(t), int(v), int(u)) for t, v, u in rows]

    def _minute_series(self, r: Range) -> list[Bucket]:
        """Closed minutes read finalised visitors; the rest (open, or changed since) merge their states."""
        views: dict[int, int] = {}
        events: dict[int, int] = {}
        closed: dict[int, tuple[int, int]] = {}  # minute -> (events, visitors) of its newest closing
        for t, v, ev, u, is_closed in self._rows(*sql.minute_counts(self.db, r)):
            if is_closed:
                if ev >= closed.get(t, (-1, 0))[0]:
                    closed[t] = (ev, u)
            else:
                views[t] = views.get(t, 0) + v
                events[t] = events.get(t, 0) + ev
        minutes = sorted(t for t, v in views.items() if v > 0)
        visitors = {t: closed[t][1] for t in minutes if t in closed and closed[t][0] == events[t]}
        stale = [datetime.fromtimestamp(t, UTC) for t in minutes if t not in visitors]
        if stale:
            visitors.update(self._rows(*sql.minute_visitors(self.db, r, stale)))
        return [Bucket(datetime.fromtimestamp(t, UTC), views[t], int(visitors.get(t, 0))) for t in minutes]

    def close_minutes(self, since: datetime, before: datetime) -> None:
        """Finalise the visitors of minutes in [since, before) that changed since they were last closed."""
        text, parameters = sql.close_minutes(self.db, since, before)
        with self.lock:
            try:
                self.client.command(text, parameters=parameters)
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc

    def top(self, query: TopQuery) -> list[TopItem]:
        return [TopItem(str(k), int(v), int(u)) for k, v, u in self._rows(*sql.top(self.db, query))]

    def totals(self, range_: Range) -> Totals:
        rows = self._rows(*sql.totals(self.db, range_))
        views, visitors = rows[0] if rows else (0, 0)
        return Totals(int(views or 0), int(visitors or 0))

    def breakdown(self, query: BreakdownQuery) -> list[BreakdownRow]:
        return [BreakdownRow(str(k), int(v), int(u)) for k, v, u in self._rows(*breakdowns.breakdown(self.db, query))]

    def summary(self, scope: Scope) -> Summary:
        views, visitors = self._rows(*breakdowns.totals(self.db, scope))[0]
        visits, bounces, visit_views = self._rows(*breakdowns.visits(self.db, scope))[0]
        median, engagements = self._rows(*breakdowns.engaged(self.db, scope))[0]
        return Summary(int(views or 0), int(visitors or 0), int(visits), int(bounces), int(visit_views),
                       float(median) if engagements else None)

    def watermark(self) -> datetime | None:
        rows = self._rows(*sql.watermark(self.db))
        value = rows[0][0] if rows else None
        if value is None or value.year <= 1970:
            return None
        return _utc(value)

    def _rows(self, text: str, parameters: dict) -> list[tuple]:
        with self.lock:
            try:
                return self.client.query(text, parameters=parameters, settings=QUERY_SETTINGS).result_rows
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc

    def close(self) -> None:
        with self.lock:
            self.client.close()
