"""The table writer: poll -> batch -> decode -> dead-letter poison -> insert -> commit.

Auto-commit is off: a partition's offset is committed (last + 1) only after OLAP
acknowledged the insert of the batch that covered it. While OLAP or the stream
fails, the writer holds the batch and retries with exponential backoff + jitter
(behind a circuit breaker for OLAP); it never commits past what it did not store.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from resilience import Backoff, CircuitBreaker, CircuitOpen

from tracker.event import DEAD_LETTER_TOPIC, TrackingEvent
from tracker.olap.port import EventSink, OlapUnavailable, StagedBatch
from tracker.stream.port import Consumer, Producer, Record, StreamUnavailable, TopicPartition
from tracker.writer.batching import BatchPolicy
from tracker.writer.decoding import Poison, decode
from tracker.writer.ledger import OffsetRanges, ReplayGuard
from tracker.writer.progress import BatchCommitted, Progress

log = logging.getLogger("tessera.writer")
T = TypeVar("T")
RETRYABLE = (OlapUnavailable, StreamUnavailable, OSError, CircuitOpen)


class WriterStopped(Exception):
    """Stop was requested while a step was failing: leave without committing."""


class PendingBatch:
    def __init__(self) -> None:
        self.records: list[Record] = []  # records to decode and insert
        self.ranges = OffsetRanges()  # everything polled, inserted or skipped
        self.skipped = 0
        self.opened_at: float | None = None

    @property
    def size(self) -> int:
        return len(self.records) + self.skipped

    def drop(self, partitions: set[TopicPartition]) -> None:
        """Forget records of partitions this member no longer owns (their new owner re-reads them)."""
        self.records = [r for r in self.records if TopicPartition(r.topic, r.partition) not in partitions]
        for tp in partitions:
            self.ranges.first.pop(tp, None)
            self.ranges.last.pop(tp, None)


def _prepare(records: list[Record], dead_letter_topic: str) -> tuple[StagedBatch, list[Poison], BatchCommitted]:
    """Decode and stage (CPU work, run off the event loop)."""
    staged = StagedBatch()
    poison: list[Poison] = []
    minutes: set[tuple[str, datetime]] = set()
    newest: datetime | None = None
    for record, item in zip(records, decode(records), strict=True):
        if isinstance(item, Poison):
            poison.append(item)
            continue
        staged.append(item, record.topic, record.partition, record.offset)
        minutes.add((item.site, _minute(item)))
        if newest is None or item.received_at > newest:
            newest = item.received_at
    summary = BatchCommitted(len(staged), len(poison), 0, newest, frozenset(minutes))
    return staged, poison, summary


def _minute(event: TrackingEvent) -> datetime:
    ts = event.ts if event.ts.tzinfo else event.ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).replace(second=0, microsecond=0)


class TableWriter:
    def __init__(
        self,
        consumer: Consumer,
        dead_letters: Producer,
        sink: EventSink,
        policy: BatchPolicy,
        progress: Progress | None = None,
        backoff: Backoff | None = None,
        breaker: CircuitBreaker | None = None,
        dead_letter_topic: str = DEAD_LETTER_TOPIC,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.sink = sink
        self.policy = policy
        self.progress = progress or Progress()
        self.backoff = backoff or Backoff(base=0.05, factor=2.0, cap=5.0)
        self.breaker = breaker or CircuitBreaker(failure_threshold=5, reset_timeout=2.0, name="olap")
        self.dead_letter_topic = dead_letter_topic
        self.clock = clock
        self.guard = ReplayGuard()
        self.pending = PendingBatch()
        self.stop = asyncio.Event()
        self._owned: set[TopicPartition] = set()

    # -- lifecycle -------------------------------------------------------
    async def run(self) -> None:
        await self.consumer.start()
        try:
            await self.dead_letters.start()
            try:
                while not self.stop.is_set():
                    await self.step()
                await self.flush()  # graceful stop: one last attempt, no retries
            except WriterStopped:
                log.warning("writer stopped with an unacknowledged batch; it will be replayed")
            finally:
                await self.dead_letters.stop()
        finally:
            await self.consumer.stop()

    def request_stop(self) -> None:
        self.stop.set()

    async def on_revoked(self, partitions: list[TopicPartition]) -> None:
        """Flush before the partitions go to another member, then forget them."""
        await self.flush()
        for tp in partitions:
            self.guard.forget(tp)

    # -- one iteration ---------------------------------------------------
    async def step(self) -> None:
        age = self._age_ms()
        started = datetime.now(UTC)
        polled = await self._hold(
            lambda: self.consumer.poll(
                self.policy.poll_size(self.pending.size), self.policy.poll_timeout_ms(self.pending.size, age)
            ),
            olap=False,
        )
        owned = self._assignment()
        if owned is not None:
            revoked = self._owned - owned
            self._owned = owned
            if revoked:
                self._revoked(revoked)
        if polled:
            await self._admit(polled)
        elif self.pending.size == 0:
            self.progress.caught_up(started)
        if self.policy.should_flush(self.pending.size, self._age_ms()):
            await self.flush()

    async def _admit(self, polled: dict[TopicPartition, list[Record]]) -> None:
        if self.pending.opened_at is None:
            self.pending.opened_at = self.clock()
        for tp, records in polled.items():
            if not records:
                continue
            if self.guard.needs_lookup(tp, records[0].offset):
                first = records[0].offset
                stored = await self._hold(
                    lambda tp=tp, first=first: asyncio.to_thread(
                        self.sink.stored_offsets, tp.topic, tp.partition, first
                    )
                )
                self.guard.remember(tp, stored)
            for record in records:
                self.pending.ranges.add(record)
                if self.guard.admit(record):
                    self.pending.records.append(record)
                else:
                    self.pending.skipped += 1

    async def flush(self) -> None:
        batch = self.pending
        if not batch.ranges:
            return
        staged, poison, summary = await asyncio.to_thread(_prepare, batch.records, self.dead_letter_topic)
        if poison:
            letters = [(p.record.key, p.dead_letter()) for p in poison]
            await self._hold(lambda: self.dead_letters.send_batch(self.dead_letter_topic, letters), olap=False)
        if len(staged):
            token = batch.ranges.token()
            await self._hold(lambda: asyncio.to_thread(self.sink.insert, staged, token))
        await self._hold(lambda: self.consumer.commit(batch.ranges.commits()), olap=False)
        self.pending = PendingBatch()
        self.progress.committed(
            BatchCommitted(summary.rows, summary.dead_lettered, batch.skipped, summary.max_received_at, summary.minutes)
        )

    # -- helpers ---------------------------------------------------------
    def _assignment(self) -> set[TopicPartition] | None:
        owned = getattr(self.consumer, "assignment", None)
        if callable(owned):
            owned = owned()
        return set(owned) if owned is not None else None

    def _revoked(self, partitions: set[TopicPartition]) -> None:
        log.info("partitions revoked: %s", sorted((tp.topic, tp.partition) for tp in partitions))
        self.pending.drop(partitions)
        for tp in partitions:
            self.guard.forget(tp)

    def _age_ms(self) -> float:
        opened = self.pending.opened_at
        return 0.0 if opened is None else (self.clock() - opened) * 1000.0

    async def _hold(self, call: Callable[[], Awaitable[T]], olap: bool = True) -> T:
        """Run ``call`` until it succeeds; between failures back off, unless stopping."""
        attempt = 0
        while True:
            try:
                if olap:
                    self.breaker.check()
                result = await call()
            except CircuitOpen as exc:
                delay = max(exc.retry_after, 0.01)
            except RETRYABLE as exc:
                if olap:
                    self.breaker.record_failure()
                    self.progress.counters.olap_failures += 1
                else:
                    self.progress.counters.stream_failures += 1
                delay = self.backoff.delay(attempt)
                attempt += 1
                log.warning("%s failed (attempt %d), retrying in %.2fs: %s",
                            "OLAP" if olap else "stream", attempt, delay, exc)
            else:
                if olap:
                    self.breaker.record_success()
                return result
            if self.stop.is_set():
                raise WriterStopped()
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=delay)
            except TimeoutError:
                pass
