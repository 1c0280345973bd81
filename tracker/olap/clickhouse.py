"""ClickHouse adapter over clickhouse-connect: embedded chDB (``chdb://``) or a server (``http(s)://``).

The same SQL runs on both. Writes (inserts, commands, migrations) go through one client under
a lock; reads through a small pool of their own connections, so the queries of a dashboard
run side by side (chDB is one engine per process that runs queries on distinct connections in
parallel; a connection, like a clickhouse-connect session, runs one query at a time).
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic  # its own name: a test moves this clock alone

import clickhouse_connect
import numpy as np

from tracker.olap import breakdowns, migrations, repair, sql, storage
from tracker.olap import visits as visit_cache
from tracker.olap.arrow_batch import ArrowBuilder
from tracker.olap.bucket_cache import BucketCache, MinuteCache
from tracker.olap.gc_pause import gc_paused
from tracker.olap.intents import Intents
from tracker.olap.minute_sums import MinuteSums
from tracker.olap.port import EventSink, MetricsSource, OlapUnavailable, StagedBatch
from tracker.olap.read_pool import ReadPool
from tracker.model import BreakdownQuery, BreakdownRow, Scope, Summary
from tracker.model import INTERVALS, Bucket, Range, SeriesQuery, TopItem, TopQuery, Totals

INSERT_SETTINGS = {
    "insert_deduplicate": 1,
    "deduplicate_blocks_in_dependent_materialized_views": 1,  # the token reaches the rollups too
    "parallel_view_processing": 1,  # feed the rollup views concurrently (serial saved ~2 ms an insert but made kill -9 overcount)
    "optimize_on_insert": 0,  # ReplacingMergeTree collapses duplicates at merge time / FINAL anyway
}


# chDB engine options (startup settings of the one engine in the process, ``chdb://`` only). Its
# memory worker re-reads the cgroup's memory figures every ~100 ms by default, ~0.1 % of a core for
# an idle writer; once a second is plenty for an engine that holds a few MB between inserts.
CHDB_OPTIONS = {"memory_worker_period_ms": 1000}


CLOSE_SETTINGS = {"insert_deduplicate": 0}  # a re-close of an hour may repeat an earlier one's rows


# chDB read connections: no JIT. ClickHouse compiles an expression or a set of aggregates once it
# has run three times, on the read that runs it next, once per shape per process (the minute
# series' open-minutes read: 27-30 ms that time, 5 ms the others). The store's reads gain nothing
# from it (measured on 10M events: the open minutes 4.25 / 4.17 ms, the day's minute sums 3.38 /
# 3.21, a 24 h raw breakdown 29.6 / 29.2 and 52.8 / 51.8 ms, with / without). As client settings
# they cost a query nothing more.
READ_SETTINGS = {"compile_expressions": 0, "compile_aggregate_expressions": 0}


QUERY_SETTINGS = {
    # rollups are ORDER BY (site, minute|hour): group the series in key order, streaming
    "optimize_aggregation_in_order": 1,
}


MEMO_VALUES = 100  # a breakdown answer this long or shorter is remembered to plan the next one
MEMO_SCOPES = 1_000  # summary scopes or series kept for a sole writer (``_closed_visits``, ``_kept_sums``); past it, forgotten

READERS = 4  # read connections beside the write client: a dashboard's first ~10 queries at once on 2 cores


RAW_RECENT_S = 3600  # minutes this young count visitors from the events, which keep a day at least (TTL)
OPEN_S = 60  # the minutes from the previous one on are read from the events with the sums


def _raw_from() -> datetime:
    """Minutes from here on may be counted from the events (they keep a day at least)."""
    return datetime.fromtimestamp(time.time() - RAW_RECENT_S, UTC)


def _runs(starts: list[int], step: int) -> list[tuple[int, int]]:
    """Ascending bucket starts as [lo, hi) spans of consecutive buckets."""
    runs: list[list[int]] = []
    for t in starts:
        if runs and runs[-1][1] == t:
            runs[-1][1] = t + step
        else:
            runs.append([t, t + step])
    return [(lo, hi) for lo, hi in runs]


def _ceil_minute(t: datetime) -> int:
    """Epoch seconds of the first minute starting at or after ``t`` to the millisecond (as the
    reads bind it: ``DateTime64(3)``)."""
    return -(-((t - _EPOCH) // _MS) // 60_000) * 60


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def _visits(found: list[tuple]) -> tuple[int, int, int] | None:
    """(visits, bounces, visit views) of a ``visits.read`` answer; None where it is not exact (risky)."""
    n, bounces, views, risky = found[0]
    return None if risky else (int(n or 0), int(bounces or 0), int(views or 0))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ClickHouseStore(EventSink, MetricsSource):
    def __init__(self, client, database: str = "tessera", readers: list | tuple = (),
                 intents: Intents | None = None) -> None:
        self.client = client  # the write client: inserts, commands, migrations, under ``lock``
        self.db = database
        self.intents = intents  # chDB (in the writer's process): the inserts started (tracker.olap.intents)
        self.sums: MinuteSums | None = None  # set by ``sole_writer()`` (tracker.olap.minute_sums)
        self.lock = threading.Lock()
        self.reads = ReadPool(readers, client, self.lock)  # no readers: reads share the client, locked
        # a request's independent reads, run beside its own thread (never while holding a connection)
        self._side = ThreadPoolExecutor(len(self.reads), "olap-read") if len(self.reads) else None
        self.arrow = ArrowBuilder()
        self.minutes = MinuteCache()  # (site) minute -> (events, bucket)
        self.buckets = BucketCache()  # (site) (interval, start, end) -> (views, bucket)
        # the values of each breakdown shape's last answer, by (site, dimension, filter columns), and
        # whether that answer held every value: they pick the next one's plan (breakdowns.breakdown)
        self.answered: dict[tuple, tuple[tuple[str, ...], bool]] = {}  # speed only: every plan gives the same rows
        # sole writer: the summary scopes whose finished hours a state read found current in
        # ``visit_hour`` (and whose hour under way was live), by (site, start, end): (the sums'
        # mark before that read, the hour under way then, when); see ``_closed_visits``
        self.visits_current: dict[tuple, tuple[int, datetime, float]] = {}
        # sole writer: the finished buckets' plain sums of the last hour or day series read of each
        # (site, interval): (the sums' mark before that read, its start, the bucket under way then,
        # bucket -> views); see ``_kept_sums``
        self.kept_sums: dict[tuple, tuple[int, int, int, dict[int, int]]] = {}

    @classmethod
    def connect(cls, dsn: str, database: str = "tessera", readers: int = READERS, **kwargs) -> ClickHouseStore:
        clients = []
        chdb = dsn.startswith("chdb://")
        try:
            for i in range(1 + readers):  # chDB: every connection to the path shares the one engine
                settings = {**READ_SETTINGS, **(kwargs.get("settings") or {})} if i and chdb else kwargs.get("settings")
                clients.append(clickhouse_connect.get_client(dsn=dsn, **{**kwargs, "settings": settings}))
        except Exception as exc:  # driver-specific errors stop here
            for client in reversed(clients):
                client.close()
            raise OlapUnavailable(f"cannot open OLAP at {dsn.split('@')[-1]}: {exc}") from exc
        intents = None
        if chdb:  # a server finishes an insert its client died in; chDB dies with it
            intents = Intents(Path(dsn.removeprefix("chdb://").split("?")[0]) / f"{database}.intents")
        return cls(clients[0], database, clients[1:], intents)

    def sole_writer(self) -> None:
        """This store makes every write its database gets (chDB in the writer's process): keep the
        closed minutes' sums between reads (``tracker.olap.minute_sums``)."""
        self.sums = MinuteSums()

    def _touched(self, batch: StagedBatch) -> None:
        if self.sums is None:
            return
        if batch.minutes is not None:
            self.sums.touch((site, int(_utc(m).timestamp())) for site, m in batch.minutes)
        elif batch.events:
            self.sums.touch((e.site, int(_utc(e.ts).timestamp()) // 60 * 60) for e in batch.events)
        else:
            self.sums.drop()  # rows it cannot place: every kept sum is in doubt

    def _changed(self) -> None:
        """Rollups changed other than by an insert of events (repair, restore, migration)."""
        if self.sums is not None:
            self.sums.drop()

    # -- schema ----------------------------------------------------------
    def migrate(self, ttl_days: int = 0) -> list[int]:
        """Apply pending migrations; return the versions applied now (no read runs meanwhile)."""
        with self.lock, self.reads.exclusive():
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
            self._changed()
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
            if self.intents is not None:
                self.intents.note(token)
            try:
                self.client.insert_arrow(f"{self.db}.events", table, settings=settings)
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc
            finally:
                self._touched(batch)  # after the insert: a read that began before it holds no stale sums

    def restore_if_dropped(self, batch: StagedBatch, token: str) -> bool:
        with gc_paused():
            table = self.arrow.build(batch, token)
        with self.lock:
            try:
                restored = repair.restore_events(self.client, self.db, table, token)
            except Exception as exc:
                self._changed()
                raise OlapUnavailable(str(exc)) from exc
            if restored:
                self._changed()
            return restored

    def repair_replayed(self, tokens: list[str], pending: list[str] = ()) -> list[tuple[str, str]]:
        with self.lock:
            try:
                repaired = repair.repair(self.client, self.db, tokens, list(pending))
            except Exception as exc:
                self._changed()
                raise OlapUnavailable(str(exc)) from exc
            if repaired:
                self._changed()
            return repaired

    def stored_blocks(self, topic: str, partition: int, from_offset: int) -> set[str]:
        rows = self._rows(*sql.stored_blocks(self.db, topic, partition, from_offset))
        return {r[0] for r in rows}

    def intended_blocks(self) -> list[str]:
        return [] if self.intents is None else self.intents.recent()

    # -- source ----------------------------------------------------------
    def series(self, query: SeriesQuery) -> list[Bucket]:
        r = query.range
        if r.path is None and r.referrer is None and not r.filters:
            return self._minute_series(r) if query.interval == "1m" else self._bucket_series(query)
        rows = self._rows(*sql.series(self.db, query, _raw_from()))
        return [Bucket(_utc(t), int(v), int(u)) for t, v, u in rows]

    def _bucket_series(self, q: SeriesQuery) -> list[Bucket]:
        """A site series by hour or day: one query of the buckets' plain views; a bucket whose views
        match the bucket cached for the same span is served from the cache, and each run of the
        others (the open hour or day, the first one as the range moves) is merged for itself."""
        r = q.range
        step = int(INTERVALS[q.interval].total_seconds())
        first, last = r.start.timestamp(), r.end.timestamp()
        open_from = self._open_from(q, step)  # before the read: the buckets before it were whole then
        views = self._kept_sums(q, step, open_from)
        if views is None:
            mark = self.sums.mark() if self.sums is not None else None
            views = {t: int(v) for t, v in self._rows(*sql.bucket_sums(self.db, q))}
            if mark is not None and open_from is not None:
                self._keep_sums(q, views, mark, open_from)
        order = [t for t in sorted(views) if views[t]]
        keys = {t: (q.interval, max(t, first), min(t + step, last)) for t in order}  # the span it covers
        cached = self.buckets.of(r.site)
        missing = [t for t in order if (hit := cached.get(keys[t])) is None or hit[0] != views[t]]
        if not missing:
            return [cached[keys[t]][1] for t in order]
        fresh: dict[tuple, tuple[int, Bucket]] = {}
        raw_from = _raw_from()
        for lo, hi in _runs(missing, step):
            part = Range(r.site, max(datetime.fromtimestamp(lo, UTC), r.start), min(datetime.fromtimestamp(hi, UTC), r.end))
            for t, v, u in self._rows(*sql.series(self.db, SeriesQuery(part, q.interval), raw_from)):
                b = Bucket(_utc(t), int(v), int(u))
                fresh[keys.get(int(b.t.timestamp()), ())] = (b.views, b)
        fresh.pop((), None)  # a bucket that was empty at the first read
        # a bucket reaching into the last hour may hold visitors counted from the events, read a moment
        # apart from its views: served, not cached (the minute path checks such counts instead)
        self.buckets.put(r.site, {k: entry for k, entry in fresh.items() if k[2] <= raw_from.timestamp()})
        recomputed = set(missing)
        out = [(fresh.get(keys[t]) if t in recomputed else cached[keys[t]]) for t in order]
        return [entry[1] for entry in out if entry is not None]  # None: gone between the two reads

    def _open_from(self, q: SeriesQuery, step: int) -> int | None:
        """The bucket holding the hour under way (epoch seconds), when the range is one whose
        finished buckets' sums a sole writer keeps: whole buckets from its start, up to now."""
        r = q.range
        if self.sums is None or int(r.start.timestamp()) % step or r.start.timestamp() % 1:
            return None
        open_from = int(time.time()) // step * step
        return open_from if r.end.timestamp() >= open_from else None

    def _keep_sums(self, q: SeriesQuery, views: dict[int, int], mark: int, open_from: int) -> None:
        """Keep a series' finished buckets' plain sums, read after ``mark``: they hold until an
        insert touches an hour before the bucket under way (``_kept_sums``)."""
        if len(self.kept_sums) > MEMO_SCOPES:
            self.kept_sums.clear()
        finished = {t: v for t, v in views.items() if t < open_from}
        self.kept_sums[(q.range.site, q.interval)] = (mark, int(q.range.start.timestamp()), open_from, finished)

    def _kept_sums(self, q: SeriesQuery, step: int, open_from: int | None) -> dict[int, int] | None:
        """The bucket sums a plain-sums read would give, without it: the kept finished buckets,
        when the bucket under way is the same, the range starts no earlier and no insert has
        touched a finished hour since, plus every bucket from the one under way on marked
        unknown (-1: recomputed, and dropped if it holds nothing); else None."""
        kept = self.kept_sums.get((q.range.site, q.interval)) if open_from is not None else None
        if kept is None:
            return None
        mark, lo, then, finished = kept
        first = int(q.range.start.timestamp())
        if then != open_from or first < lo or self.sums.hours_touched(q.range.site, mark, open_from):
            return None
        views = {t: v for t, v in finished.items() if t >= first}
        views.update((t, -1) for t in range(open_from, math.ceil(q.range.end.timestamp()), step))
        return views

    def _minute_series(self, r: Range) -> list[Bucket]:
        """Two reads side by side: the minutes' plain sums (no visitor states read), and the open
        minutes counted from the events; the open minutes alone when the closed minutes' sums are
        kept (``self.sums``: this store made every write since).  A minute whose event count
        matches the one its cached bucket was computed at is served from ``self.minutes`` (one
        array comparison for the range); the open minutes from the events; the rest (any on a
        first read, one written to since) are looked up by ``_buckets``."""
        lo, hi = _ceil_minute(r.start), _ceil_minute(r.end)  # the whole minutes lo <= m < hi the range holds
        if hi <= lo:
            return []
        open_from = max(lo, int(time.time()) // 60 * 60 - OPEN_S)
        opening = sql.open_minutes(self.db, r.site, open_from, hi) if open_from < hi else None
        n = (hi - lo) // 60
        closed = (open_from - lo) // 60 if opening else n  # the minutes before open_from: no write expected
        as_of = self.sums.mark() if self.sums is not None else 0
        kept = self.sums.get(r.site, lo, lo + 60 * closed) if self.sums is not None and closed else None
        # with read connections of its own the store reads the open minutes beside the sums (the
        # wall time of one read, not two); sharing one client, only when the sums show them changed;
        # the open minutes alone on this thread (a hand-off to another would only add its wake-up)
        opened = (self._side.submit(self._bytes, *opening)
                  if opening and kept is None and self._side is not None else None)
        if kept is not None:  # no insert touched the closed minutes since their sums were read: the open ones only
            data = self._bytes(*opening) if opening else b""
            views, events = np.zeros(n, np.int64), np.zeros(n, np.int64)
            views[:closed], events[:closed] = kept
            t, v, e, _ = sql.columns(data, sql.OPEN_MINUTES_ROW)
            at = (t.astype(np.int64) - lo) // 60
            views[at], events[at] = v, e
        else:
            try:
                whole = replace(r, start=datetime.fromtimestamp(lo, UTC), end=datetime.fromtimestamp(hi, UTC))
                t, v, e = sql.columns(self._bytes(*sql.minute_sums(self.db, whole)), sql.MINUTE_SUMS_ROW)
            finally:
                data = opened.result() if opened else b""
            at = (t.astype(np.int64) - lo) // 60
            # a minute's rows in several parts add up (float64: exact below 2**53); as Int64, since a row that
            # takes a doubled block back holds its counts' two's complement (tracker.olap.repair)
            views = np.bincount(at, weights=v.astype(np.int64), minlength=n).astype(np.int64)
            events = np.bincount(at, weights=e.astype(np.int64), minlength=n).astype(np.int64)
            if self.sums is not None and closed:
                self.sums.put(r.site, lo, views[:closed], events[:closed], as_of)
        known, held = self.minutes.snapshot(r.site, lo, n)
        shown = views > 0  # minutes of bots or custom events only: no bucket
        stale = np.flatnonzero(shown & (events != known)).tolist()
        if stale and opening and opened is None and kept is None and lo + 60 * stale[-1] >= open_from:
            data = self._bytes(*opening)
        if stale:
            opened_rows = zip(*(c.tolist() for c in sql.columns(data, sql.OPEN_MINUTES_ROW)))
            counted = {m: (a, b, u) for m, a, b, u in opened_rows}  # minute -> (views, events, visitors)
            fresh: dict[int, tuple[int, Bucket]] = {}
            missing: dict[int, tuple[int, int]] = {}
            for i in stale:
                m = lo + 60 * i
                if (got := counted.get(m)) is not None and got[1] == events[i]:
                    fresh[m] = (got[1], Bucket(datetime.fromtimestamp(m, UTC), got[0], got[2]))
                else:
                    missing[m] = (int(views[i]), int(events[i]))
            if missing:
                fresh.update(self._buckets(r.site, sorted(missing), {m: a for m, (a, _) in missing.items()},
                                           {m: b for m, (_, b) in missing.items()}))
            self.minutes.put(r.site, {m: entry for m, entry in fresh.items() if entry[0] >= 0})
            for m, (_, bucket) in fresh.items():
                held[(m - lo) // 60] = bucket
        return [held[i] for i in np.flatnonzero(shown).tolist()]

    def _buckets(self, site: str, minutes: list[int], views: dict[int, int],
                 events: dict[int, int]) -> dict[int, tuple[int, Bucket]]:
        """(events, bucket) of these minutes, each from a source that counted the same events as
        the plain sums did: the events when recent (a few thousand rows of one key range; events
        never expire that young), else the minute's closing, else its states merged."""
        out: dict[int, tuple[int, Bucket]] = {}

        def keep(t: int, v: int, e: int, u: int) -> None:
            out[t] = (e, Bucket(datetime.fromtimestamp(t, UTC), int(v), int(u)))

        recent = time.time() - RAW_RECENT_S
        if new := [t for t in minutes if t >= recent]:
            for t, v, e, u, _ in self._rows(*sql.raw_minute_visitors(self.db, site, new)):
                if e == events[t]:  # else a write landed in between, or the events dropped a duplicate
                    keep(t, v, e, u)
        if old := [t for t in minutes if t not in out]:
            for t, e, u in self._rows(*sql.closed_visitors(self.db, site, old)):
                if e == events[t]:
                    keep(t, views[t], e, u)
        if stale := [t for t in old if t not in out]:
            for t, v, e, u in self._rows(*sql.minute_visitors(self.db, site, stale)):
                keep(t, v, e, u)
        for t in minutes:
            if t not in out:  # gone between two reads (a dropped partition): served, never cached
                out[t] = (-1, Bucket(datetime.fromtimestamp(t, UTC), views[t], 0))
        return out

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
        rows = self._rows(*sql.totals(self.db, range_, _raw_from()))
        views, visitors = rows[0] if rows else (0, 0)
        return Totals(int(views or 0), int(visitors or 0))

    def breakdown(self, query: BreakdownQuery) -> list[BreakdownRow]:
        shape = (query.scope.site, query.dimension, tuple(c for c, _ in query.scope.filters))
        values, every = self.answered.get(shape, ((), False))
        rows = None
        if values and not every:  # one read: the earlier top values' states only, checked below
            found = self._rows(*breakdowns.breakdown(self.db, query, known=values), settings=None)
            if all(r[3] for r in found if len(r) > 3):  # else a value outside them ranks now: ask again
                rows = [r[:3] for r in found]
        if rows is None:
            narrow = every and len(values) <= query.limit
            rows = self._rows(*breakdowns.breakdown(self.db, query, narrow), settings=None)
            if narrow:
                rows = breakdowns.ranked(rows, query.limit)
        if len(self.answered) > 10_000:
            self.answered.clear()
        if len(rows) <= MEMO_VALUES:
            self.answered[shape] = (tuple(str(r[0]) for r in rows), len(rows) < query.limit)
        return [BreakdownRow(str(k), int(v), int(u)) for k, v, u in rows]

    def summary(self, scope: Scope) -> Summary:
        totals = self._aside(*breakdowns.totals(self.db, scope), settings=None)  # three independent reads, side by side
        engaged = self._aside(*breakdowns.engaged(self.db, scope))
        found = self._closed_visits(scope)
        visits, bounces, visit_views = found or self._rows(*breakdowns.visits(self.db, scope))[0]
        views, visitors = totals.result()[0]
        median, engagements = engaged.result()[0]
        return Summary(int(views or 0), int(visitors or 0), int(visits), int(bounces), int(visit_views),
                       float(median) if engagements else None)

    def _closed_visits(self, scope: Scope) -> tuple[int, int, int] | None:
        """(visits, bounces, visit views) from ``visit_hour``, closing the finished hours it lacks
        or holds stale; the hours not over yet are read from the events for the one key asked
        (never closed: the hour under way grows between two reads, and its close, every key of
        three hours written under the write lock, cost a second a read); None where it cannot
        answer exactly (see ``olap.visits``): the caller sessionises."""
        k = visit_cache.key(scope)
        if k is None or not visit_cache.aligned(scope):
            return None
        now = datetime.now(UTC)
        under_way = visit_cache.under_way(now)
        reaches = _utc(scope.end).replace(tzinfo=None) > under_way  # the scope holds the hour under way
        # the usual outcome: every finished hour closed and current, the hour under way (if in
        # scope) live; a sole writer knows it still holds when no insert touched a finished hour
        # since a state read found it so; else it is read beside the state, used if that agrees
        guess = [under_way] if reaches else []
        memo = (scope.site, scope.start, scope.end)
        if self._still_current(memo, under_way):
            return _visits(self._rows(*visit_cache.read(self.db, scope, k, guess)))
        mark = self.sums.mark() if self.sums is not None else None
        guessed = self._aside(*visit_cache.read(self.db, scope, k, guess)) if self._side is not None else None
        state = self._rows(*visit_cache.state(self.db, scope, under_way if reaches else None))
        hours = visit_cache.stale(state, scope)
        live = [h for h in hours if h >= under_way]
        done = [h for h in hours if h < under_way]
        if live and visit_cache.quiet(visit_cache.last_arrival(state, min(live)), now):
            done, live = done + live, []  # quiet for a minute: closed once like a finished hour, then read as rows
        if len(done) > visit_cache.MAX_CLOSE:  # close the newest week's worth now, sessionise this once
            self._close_hours(scope.site, done[-visit_cache.MAX_CLOSE:])
            return None
        if done and not self._close_hours(scope.site, done):
            live = done + live  # failed: read them from the events too
        if guessed is not None and not done and live == guess:
            found = guessed.result()
        else:
            found = self._rows(*visit_cache.read(self.db, scope, k, live))  # (a guess read is left to finish)
        if mark is not None and live == guess:  # every finished hour current now (closed, or already)
            if len(self.visits_current) > MEMO_SCOPES:
                self.visits_current.clear()
            self.visits_current[memo] = (mark, under_way, monotonic())
        return _visits(found)

    def _still_current(self, memo: tuple, under_way: datetime) -> bool:
        """Whether a state read of this scope found its finished hours current, no insert has
        touched one of them since, and the hour under way is the same: then the state read would
        find the same, and is skipped.  For a minute at most: a state read also finds an hour
        under way gone quiet (``visits.quiet``), which is then closed like a finished one."""
        found = self.visits_current.get(memo)
        if found is None or self.sums is None:
            return False
        mark, then, at = found
        return (then == under_way and monotonic() - at < visit_cache.QUIET.total_seconds()
                and not self.sums.hours_touched(memo[0], mark, int(under_way.replace(tzinfo=UTC).timestamp())))

    def _close_hours(self, site: str, hours: list[datetime]) -> bool:
        """Write ``visit_hour``'s rows of these finished hours (a late event makes one stale
        again); False when that fails (a read-only user, say)."""
        text, parameters = visit_cache.close(self.db, site, hours, datetime.now(UTC))
        with self.lock:
            try:
                self.client.command(text, parameters=parameters, settings=CLOSE_SETTINGS)
                return True
            except Exception:  # a cache: the caller reads those hours from the events
                return False

    def watermark(self) -> datetime | None:
        rows = self._rows(*sql.watermark(self.db))
        value = rows[0][0] if rows else None
        if value is None or value.year <= 1970:
            return None
        return _utc(value)

    def _aside(self, text: str, parameters: dict, settings: dict | None = QUERY_SETTINGS) -> Future:
        """``_rows`` on another thread when the store has read connections of its own, else now."""
        if self._side is not None:
            return self._side.submit(self._rows, text, parameters, settings)
        done: Future = Future()
        try:
            done.set_result(self._rows(text, parameters, settings))
        except Exception as exc:
            done.set_exception(exc)
        return done

    def _bytes(self, text: str, parameters: dict) -> bytes:
        """A read's result as ``RowBinary`` bytes (fixed-width columns: decoded in bulk by the caller).
        No per-call settings: chDB's client applies those to a raw query by reading, setting and
        restoring them (three more queries, ~5 ms); put any in the text instead."""
        with self.reads.one() as client:
            try:
                return client.raw_query(text, parameters=parameters, fmt="RowBinary")
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc

    def _rows(self, text: str, parameters: dict, settings: dict | None = QUERY_SETTINGS) -> list[tuple]:
        """``settings``: QUERY_SETTINGS for the series' in-order reads; None for a read that has
        its own in its text (each setting sent is one more clause for chDB to apply)."""
        with self.reads.one() as client:
            try:
                return client.query(text, parameters=parameters, settings=settings).result_rows
            except Exception as exc:
                raise OlapUnavailable(str(exc)) from exc

    def close(self) -> None:
        if self._side is not None:
            self._side.shutdown()
        self.reads.close()  # chDB: the engine stops with its last connection, the write client's
        with self.lock:
            self.client.close()
            if self.intents is not None:
                self.intents.close()
