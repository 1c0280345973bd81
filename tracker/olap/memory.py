"""In-memory fake of the OLAP ports (sink and source), for unit tests.

It keeps the two properties the writer relies on: a token seen before is a no-op
(insert deduplication), and ``stored_blocks`` tells which blocks (tokens) it holds.
Visitors are counted exactly (the real rollups use uniqCombined(12)).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.event import TrackingEvent
from tracker.olap.port import EventSink, MetricsSource, OlapUnavailable, StagedBatch
from tracker.model import VISIT_GAP, BreakdownQuery, BreakdownRow, Scope, Summary
from tracker.model import INTERVALS, Bucket, Range, SeriesQuery, TopItem, TopQuery, Totals


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _floor(t: datetime, interval: str) -> datetime:
    t = _utc(t).replace(second=0, microsecond=0)
    if interval == "1h":
        return t.replace(minute=0)
    if interval == "1d":
        return t.replace(hour=0, minute=0)
    return t


class _Breakdowns:
    """Breakdowns and summaries over the fake's rows, exactly (the reference the chDB tests compare to)."""

    def _scoped(self, s: Scope, name: str = "pageview") -> list[TrackingEvent]:
        if not self.available:
            raise OlapUnavailable("memory store switched off")
        return [e for e, *_ in self.rows
                if e.site == s.site and s.start <= _utc(e.ts) < s.end and e.name == name and not e.is_bot]

    @staticmethod
    def _matches(e: TrackingEvent, s: Scope) -> bool:
        return all(getattr(e, column) == value for column, value in s.filters)

    def breakdown(self, query: BreakdownQuery) -> list[BreakdownRow]:
        groups: dict[str, list[TrackingEvent]] = {}
        for e in self._scoped(query.scope):
            if self._matches(e, query.scope):
                groups.setdefault(getattr(e, query.dimension), []).append(e)
        rows = [BreakdownRow(k, len(es), len({e.visitor for e in es})) for k, es in groups.items()]
        return sorted(rows, key=lambda r: (-r.views, r.value))[: query.limit]

    def summary(self, scope: Scope) -> Summary:
        views = [e for e in self._scoped(scope) if self._matches(e, scope)]
        by_visitor: dict[str, list[TrackingEvent]] = {}
        for e in self._scoped(scope):
            by_visitor.setdefault(e.visitor, []).append(e)
        visits = bounces = visit_views = 0
        gap = VISIT_GAP.total_seconds()
        for events in by_visitor.values():
            events.sort(key=lambda e: int(_utc(e.ts).timestamp()))
            runs: list[list[TrackingEvent]] = []
            for e in events:
                t = int(_utc(e.ts).timestamp())
                if runs and t - int(_utc(runs[-1][-1].ts).timestamp()) <= gap:
                    runs[-1].append(e)
                else:
                    runs.append([e])
            for run in runs:
                if any(self._matches(e, scope) for e in run):
                    visits += 1
                    bounces += len(run) == 1
                    visit_views += len(run)
        engaged = sorted(int(e.props.get("engaged_ms", "0") or 0) if e.props.get("engaged_ms", "").isdigit() else 0
                         for e in self._scoped(scope, "engagement") if self._matches(e, scope))
        return Summary(len(views), len({e.visitor for e in views}), visits, bounces, visit_views,
                       float(engaged[len(engaged) // 2]) if engaged else None)


class MemoryStore(_Breakdowns, EventSink, MetricsSource):
    def __init__(self) -> None:
        self.rows: list[tuple[TrackingEvent, str, int, int, str]] = []
        self.tokens: set[str] = set()
        self.available = True
        self.inserts = 0

    def insert(self, batch: StagedBatch, token: str) -> None:
        if not self.available:
            raise OlapUnavailable("memory store switched off")
        self.inserts += 1
        if token in self.tokens:
            return
        self.tokens.add(token)
        self.rows.extend((e, t, p, o, token) for e, t, p, o in
                         zip(batch.all_events(), batch.topics, batch.partitions, batch.offsets, strict=True))

    def stored_blocks(self, topic: str, partition: int, from_offset: int) -> set[str]:
        if not self.available:
            raise OlapUnavailable("memory store switched off")
        return {b for _, t, p, o, b in self.rows if t == topic and p == partition and o >= from_offset}

    # -- source ----------------------------------------------------------
    def _counted(self, r: Range) -> list[TrackingEvent]:
        if not self.available:
            raise OlapUnavailable("memory store switched off")
        out = []
        for e, *_ in self.rows:
            ts = _utc(e.ts)
            if e.site != r.site or not (r.start <= ts < r.end) or e.name != "pageview" or e.is_bot:
                continue
            if r.path is not None and e.path != r.path:
                continue
            if r.referrer is not None and e.referrer_host != r.referrer:
                continue
            if any(getattr(e, column) != value for column, value in r.filters):
                continue
            out.append(e)
        return out

    def series(self, query: SeriesQuery) -> list[Bucket]:
        assert query.interval in INTERVALS
        groups: dict[datetime, list[TrackingEvent]] = {}
        for e in self._counted(query.range):
            groups.setdefault(_floor(e.ts, query.interval), []).append(e)
        return [Bucket(t, len(es), len({e.visitor for e in es})) for t, es in sorted(groups.items())]

    def top(self, query: TopQuery) -> list[TopItem]:
        groups: dict[str, list[TrackingEvent]] = {}
        for e in self._counted(query.range):
            groups.setdefault(getattr(e, query.dimension), []).append(e)
        items = [TopItem(k, len(es), len({e.visitor for e in es})) for k, es in groups.items()]
        return sorted(items, key=lambda i: (-i.views, i.key))[: query.limit]

    def totals(self, range_: Range) -> Totals:
        events = self._counted(range_)
        return Totals(len(events), len({e.visitor for e in events}))

    def watermark(self) -> datetime | None:
        return max((_utc(e.received_at) for e, *_ in self.rows), default=None)

