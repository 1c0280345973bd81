"""What the writer has made durable, shared in-process with the query API.

The freshness watermark means "every record appended to the stream before T is
counted in OLAP": the newest ``received_at`` of the last committed batch, or -
while the writer is idle and caught up (its last poll found nothing and nothing
is pending) - the moment that empty poll started. Both only ever move forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BatchCommitted:
    rows: int
    dead_lettered: int
    replayed: int  # rows of stored blocks met again: re-inserted under their old token, or settled
    max_received_at: datetime | None
    minutes: frozenset[tuple[str, datetime]]  # (site, minute) whose counts changed


@dataclass(slots=True)
class Counters:
    batches: int = 0
    rows: int = 0
    dead_lettered: int = 0
    replayed: int = 0
    olap_failures: int = 0
    stream_failures: int = 0


Listener = Callable[[BatchCommitted], None]


@dataclass
class Progress:
    counters: Counters = field(default_factory=Counters)
    committed_at: datetime | None = None  # newest received_at committed
    idle_since: datetime | None = None  # start of the last empty poll while caught up
    listeners: list[Listener] = field(default_factory=list)

    def committed(self, batch: BatchCommitted) -> None:
        c = self.counters
        c.batches += 1
        c.rows += batch.rows
        c.dead_lettered += batch.dead_lettered
        c.replayed += batch.replayed
        if batch.max_received_at and (self.committed_at is None or batch.max_received_at > self.committed_at):
            self.committed_at = batch.max_received_at
        for listener in list(self.listeners):
            listener(batch)

    def caught_up(self, poll_started: datetime) -> None:
        if self.idle_since is None or poll_started > self.idle_since:
            self.idle_since = poll_started

    def watermark(self) -> datetime | None:
        marks = [m for m in (self.committed_at, self.idle_since) if m is not None]
        return max(marks) if marks else None
