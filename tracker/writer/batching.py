"""The batching policy: when to flush, and how long a poll may wait. Pure.

Every insert into chDB costs a fixed ~60 ms of CPU with the views, whatever its size,
so at low traffic the flush rate, not the row rate, decides the writer's CPU. With a
CPU share (``cpu_share > 0``) the batch age adapts: a batch is held until inserting it
costs no more than that share of a core on average, given the measured insert cost and
the arrival rate, but never past the ceiling that keeps freshness: ``max_age_ms`` below
``busy_rate`` events/s, ``busy_age_ms`` from there up, each less the time a flush takes
(measured: a flush slowed by a busy machine leaves the batch less time). A cheap insert
(a ClickHouse server, where the writer pays only the client side) flushes almost at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    max_rows: int = 50_000
    max_age_ms: int = 100  # the age ceiling (below busy_rate when adaptive)
    idle_poll_ms: int = 200
    cpu_share: float = 0.0  # 0: always flush at max_age_ms; else the share of a core inserts may take
    busy_rate: float = 500.0  # events/s from which busy_age_ms is the ceiling (the rate is an average: margin)
    busy_age_ms: int = 100
    seen_late_ms: int = 500  # a batch's age counts from its oldest record's append, at most this much earlier

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_age_ms < 0 or self.idle_poll_ms < 1:
            raise ValueError("batch policy needs max_rows >= 1, max_age_ms >= 0, idle_poll_ms >= 1")
        if not 0 <= self.cpu_share <= 1 or self.busy_rate <= 0 or self.busy_age_ms < 0:
            raise ValueError("batch policy needs 0 <= cpu_share <= 1, busy_rate > 0, busy_age_ms >= 0")
        if self.seen_late_ms < 0:
            raise ValueError("batch policy needs seen_late_ms >= 0")

    def opened_ago_ms(self, record_age_ms: float) -> float:
        """How long before it was polled a new batch counts as opened, given its oldest record's age
        (now less its append time): freshness runs from the append, so a record seen late (a
        consumer that woke late) is not held for a whole age more; at most ``seen_late_ms``, so a
        backlog is still batched rather than flushed poll by poll."""
        return min(max(0.0, record_age_ms), float(self.seen_late_ms))

    def hold_ms(self, rows: int, age_ms: float, due_ms: float, rate: float, behind: bool = False) -> float:
        """How long the writer may wait without reading the stream before its next poll: until the
        batch is due, when a batch is open, not full, traffic is light (below ``busy_rate``) and
        the stream is not behind (a backlog is read as fast as it comes).  Reading each arrival
        as it comes costs a read per arrival; one read when the batch is due takes them all."""
        if rows <= 0 or rows >= self.max_rows or rate >= self.busy_rate or behind:
            return 0.0
        return max(0.0, due_ms - age_ms)

    def due_age_ms(self, insert_cost_ms: float = 0.0, rate: float = 0.0, flush_ms: float = 0.0) -> float:
        """The age at which a batch is flushed, given the CPU one insert costs (ms), the arrival
        rate (events/s) and the wall time a flush takes (ms).  A new batch opens at the first
        arrival after a flush, on average 1/rate later, so flushes come every ``age + 1/rate``
        seconds and cost ``insert_cost / (age + 1/rate)`` of a core: hold the batch until that
        is within ``cpu_share``, capped by the freshness ceiling for this rate."""
        ceiling = float(min(self.max_age_ms, self.busy_age_ms) if rate >= self.busy_rate else self.max_age_ms)
        if self.cpu_share <= 0:
            return ceiling
        ceiling = max(0.0, ceiling - max(0.0, flush_ms))
        gap_ms = 1000.0 / rate if rate > 0 else math.inf
        wanted = max(0.0, insert_cost_ms) / self.cpu_share - gap_ms
        return min(ceiling, max(0.0, wanted))

    def should_flush(self, rows: int, age_ms: float, due_ms: float | None = None) -> bool:
        """Flush a non-empty batch once it is full or its oldest record is old enough."""
        due = self.max_age_ms if due_ms is None else due_ms
        return rows > 0 and (rows >= self.max_rows or age_ms >= due)

    def poll_timeout_ms(self, rows: int, age_ms: float, due_ms: float | None = None) -> int:
        """How long the next poll may block: until the batch is due, or the idle wait."""
        if rows == 0:
            return self.idle_poll_ms
        due = self.max_age_ms if due_ms is None else due_ms
        return max(0, math.ceil(due - age_ms))

    def poll_size(self, rows: int) -> int:
        """Ask for no more records than fit in the current batch."""
        return max(1, self.max_rows - rows)


@dataclass(slots=True)
class Meter:
    """What the policy is fed: the arrival rate and the CPU of one flush, as exponentially
    weighted averages.  Pure: times come from the caller."""

    window_s: float = 5.0  # the rate's time constant
    weight: float = 0.2  # a new flush cost's weight in the average
    insert_cost_ms: float = 60.0  # a prior until flushes are measured (chDB with the views)
    flush_ms: float = 0.0  # wall time of a flush
    rate: float = 0.0
    at: float | None = None

    def arrived(self, n: int, now: float) -> None:
        """``n`` records polled at ``now`` (seconds)."""
        self.decay(now)
        self.rate += n / self.window_s

    def decay(self, now: float) -> float:
        """The rate at ``now``: it falls off while nothing arrives."""
        if self.at is not None and now > self.at:
            self.rate *= math.exp(-(now - self.at) / self.window_s)
        self.at = now if self.at is None else max(self.at, now)
        return self.rate

    def flushed(self, cpu_ms: float, wall_ms: float = 0.0) -> None:
        self.insert_cost_ms += self.weight * (max(0.0, cpu_ms) - self.insert_cost_ms)
        self.flush_ms += self.weight * (max(0.0, wall_ms) - self.flush_ms)
