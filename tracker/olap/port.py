"""The OLAP ports: the writer's sink and the query API's source.

Adapters (picked by name in ``tracker.olap.factory``): ``chdb`` and ``clickhouse``
(one ClickHouse SQL adapter over clickhouse-connect), ``pinot`` (a source only:
Pinot ingests the topic itself) and ``memory`` (the fake, for unit tests).
Calls are blocking; async callers run them in a worker thread.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from tracker.event import TrackingEvent
from tracker.model import BreakdownQuery, BreakdownRow, Scope, Summary
from tracker.model import Bucket, Range, SeriesQuery, TopItem, TopQuery, Totals


class OlapUnavailable(Exception):
    """OLAP did not acknowledge: retry later, commit nothing."""


_EVENTS = msgspec.json.Decoder(list[TrackingEvent])


@dataclass(slots=True)
class StagedBatch:
    """Decoded events with the stream coordinates each came from (parallel lists).

    A block decoded straight to columns (``tracker.writer.columnar``) carries them in
    ``columns`` (an Arrow table of the event's fields) and its record ``values`` instead
    of ``events``; ``all_events()`` decodes those for sinks that want objects.
    """

    events: list[TrackingEvent] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    partitions: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    columns: Any = None
    values: list[bytes] | None = None
    minutes: frozenset | None = None  # (site, minute of ts) the rows touch, where the stager knows them

    def all_events(self) -> list[TrackingEvent]:
        if not self.events and self.values:
            self.events = _EVENTS.decode(b"[" + b",".join(self.values) + b"]")
        return self.events

    def append(self, event: TrackingEvent, topic: str, partition: int, offset: int) -> None:
        self.events.append(event)
        self.topics.append(topic)
        self.partitions.append(partition)
        self.offsets.append(offset)

    def __len__(self) -> int:
        return len(self.offsets)


class EventSink(ABC):
    @abstractmethod
    def insert(self, batch: StagedBatch, token: str) -> None:
        """Store the block (rows tagged with ``token``); the same token twice stores it once."""

    @abstractmethod
    def stored_blocks(self, topic: str, partition: int, from_offset: int) -> set[str]:
        """Tokens of the blocks holding rows of this partition at or after ``from_offset``."""

    def intended_blocks(self) -> list[str]:
        """Tokens of the latest inserts started, stored or not (``tracker.olap.intents``).  A store
        whose inserts are atomic (a server finishes one its client died in) returns none."""
        return []

    def close_minutes(self, since: datetime, before: datetime) -> None:
        """Finalise per-minute aggregates of [since, before) for readers; a cache, so optional."""
        return None

    def restore_if_dropped(self, batch: StagedBatch, token: str) -> bool:
        """After inserting a fresh block while recovering from a crash: if the events table holds
        none of its rows, put them in without feeding derived tables again; True if it did."""
        return False

    def repair_replayed(self, tokens: list[str], pending: list[str] = ()) -> list[tuple[str, str]]:
        """After replaying these stored blocks, give any derived table that lacks one its rows
        (``pending``: stored blocks not replayed yet); returns (table, token) repaired.  A store
        whose inserts are atomic has nothing to do."""
        return []

    def close(self) -> None:
        return None


class MetricsSource(ABC):
    @abstractmethod
    def series(self, query: SeriesQuery) -> list[Bucket]:
        """Non-empty buckets only, ascending; the caller zero-fills."""

    @abstractmethod
    def top(self, query: TopQuery) -> list[TopItem]: ...

    @abstractmethod
    def totals(self, range_: Range) -> Totals: ...

    @abstractmethod
    def watermark(self) -> datetime | None:
        """The newest ``received_at`` stored, or None when empty."""

    def breakdown(self, query: BreakdownQuery) -> list[BreakdownRow]:
        """Counted page views of the scope grouped by one dimension, most viewed first."""
        raise NotImplementedError(f"{type(self).__name__} has no breakdowns")

    def summary(self, scope: Scope) -> Summary:
        """The KPIs of the scope (``tracker.query.breakdown.Summary``)."""
        raise NotImplementedError(f"{type(self).__name__} has no summaries")

    def close(self) -> None:
        return None
