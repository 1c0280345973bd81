"""The table writer: poll -> batch -> decode -> dead-letter poison -> insert -> commit.

Auto-commit is off: a partition's offset is committed (last + 1) only after OLAP
acknowledged the insert of the blocks that covered it (one insert per flush, its
group of blocks across partitions under one token; see ``tracker.writer.ledger`` for
how a replay re-inserts stored groups). How long a batch is held comes from
``tracker.writer.batching``: the measured cost of a flush and the arrival rate.
While OLAP or the stream fails, the writer holds the batch and retries with exponential backoff + jitter
(behind a circuit breaker for OLAP); it never commits past what it did not store.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from resilience import Backoff, CircuitBreaker, CircuitOpen

from tracker.event import DEAD_LETTER_TOPIC
from tracker.olap.gc_pause import gc_paused
from tracker.olap.port import EventSink, OlapUnavailable, StagedBatch
from tracker.stream.port import Consumer, Producer, Record, StreamUnavailable, TopicPartition
from tracker.writer.batching import BatchPolicy, Meter
from tracker.writer.columnar import columns
from tracker.writer.decoding import Poison, decode
from tracker.writer.ledger import Block, PartitionBatch, ReplayGuard, plan, touching
from tracker.writer.progress import BatchCommitted, Progress

log = logging.getLogger("tessera.writer")
T = TypeVar("T")
RETRYABLE = (OlapUnavailable, StreamUnavailable, OSError, CircuitOpen)
RECHECKS = 3  # flushes in which a replayed block's rollups are checked (tracker.olap.repair)
SPLIT_ROWS = 50_000  # a flush's fresh records go in one insert up to here (chDB: ~60 ms CPU an insert)


class WriterStopped(Exception):
    """Stop was requested while a step was failing: leave without committing."""


class PendingBatch:
    """Polled records per partition, until flushed."""

    def __init__(self) -> None:
        self.partitions: dict[TopicPartition, PartitionBatch] = {}
        self.opened_at: float | None = None

    @property
    def size(self) -> int:
        return sum(len(pb.records) for pb in self.partitions.values())

    def remove(self, partitions) -> None:
        """Forget these partitions (flushed, or no longer ours: their new owner re-reads them)."""
        for tp in partitions:
            self.partitions.pop(tp, None)


@dataclass(slots=True)
class Staged:
    """One block decoded: its rows, its poison, the minutes it touches and its newest ``received_at``."""

    batch: StagedBatch
    poison: list[Poison]
    minutes: set[tuple[str, datetime]]
    newest: datetime | None


def _stage(records: list[Record], blocks: tuple[Block, ...] = ()) -> Staged:
    """Decode and stage one block (CPU work, run off the event loop): columnar when it can vouch, else exact.
    ``blocks``: the group's blocks, whose records ``records`` are, in order (``ledger.plan``)."""
    with gc_paused():
        values = [r.value for r in records]
        fast = columns(values)
        if fast is not None:  # a group may hold several partitions' blocks
            topics, partitions, offsets = _coordinates(records, blocks)
            batch = StagedBatch(topics=topics, partitions=partitions, offsets=offsets, columns=fast.table,
                                values=values, minutes=fast.minutes)
            return Staged(batch, [], set(fast.minutes), fast.newest)
        poison: list[Poison] = []
        minutes: set[tuple[str, datetime]] = set()
        batch = _exact(records, poison, minutes)
        batch.minutes = frozenset(minutes)
        newest = max((_aware(e.received_at) for e in batch.events), default=None)
        return Staged(batch, poison, minutes, newest)


def _coordinates(records: list[Record], blocks: tuple[Block, ...]) -> tuple[list[str], list[int], list[int]]:
    """Each record's topic, partition and offset.  The records are read one pass a list, and a block's
    records are scattered in memory (each ~0.15 µs a pass at 200k), so when every block's records are
    exactly its span (``first``..``last``, no gap: offsets only increase within a partition, so first,
    last and count pin them all) the lists are built from the blocks instead; else record by record."""
    topics: list[str] = []
    partitions: list[int] = []
    offsets: list[int] = []
    at, n = 0, len(records)
    for b in blocks:
        k = b.last - b.first + 1
        if k <= 0 or at + k > n:
            break
        head, tail = records[at], records[at + k - 1]
        if not (head.offset == b.first and tail.offset == b.last and head.partition == tail.partition == b.partition
                and head.topic == tail.topic == b.topic):
            break
        topics += [b.topic] * k
        partitions += [b.partition] * k
        offsets += range(b.first, b.last + 1)
        at += k
    else:
        if at == n and blocks:
            return topics, partitions, offsets
    return [r.topic for r in records], [r.partition for r in records], [r.offset for r in records]


def _exact(records: list[Record], poison: list[Poison], minutes: set) -> StagedBatch:
    """Decode record by record into events; poison aside."""
    staged = StagedBatch()
    for record, item in zip(records, decode(records), strict=True):
        if isinstance(item, Poison):
            poison.append(item)
            continue
        staged.append(item, record.topic, record.partition, record.offset)
        minutes.add((item.site, item.ts.replace(second=0, microsecond=0)))
    return staged


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def _utc_minute(t: datetime) -> datetime:
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return t.replace(second=0, microsecond=0)


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
        wall: Callable[[], float] = time.time,
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
        self.wall = wall  # the records' append times are wall-clock milliseconds
        self._behind = False  # the last poll's oldest record was older than the policy's seen_late_ms
        self.guard = ReplayGuard()
        self.meter = Meter()
        self.pending = PendingBatch()
        self.stop = asyncio.Event()
        self._owned: set[TopicPartition] = set()
        self._recovering: set[TopicPartition] = set()  # looked up in OLAP, first flush not committed yet
        self._recheck: dict[str, int] = {}  # replayed tokens -> flushes left to check them again

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

    # -- one iteration ---------------------------------------------------
    def due_ms(self) -> float:
        """The age at which the pending batch is flushed (``BatchPolicy.due_age_ms``)."""
        m = self.meter
        return self.policy.due_age_ms(m.insert_cost_ms, m.decay(self.clock()), m.flush_ms)

    async def step(self) -> None:
        age, due = self._age_ms(), self.due_ms()
        hold = self.policy.hold_ms(self.pending.size, age, due, self.meter.rate, self._behind)
        if hold > 0:  # light traffic: let arrivals gather in the stream, read them all when due
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=hold / 1000)
            except TimeoutError:
                pass
            age, due = self._age_ms(), self.due_ms()
        started = datetime.now(UTC)
        polled = await self._hold(
            lambda: self.consumer.poll(
                self.policy.poll_size(self.pending.size), self.policy.poll_timeout_ms(self.pending.size, age, due)
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
        if self.policy.should_flush(self.pending.size, self._age_ms(), self.due_ms()):
            await self.flush()

    async def _admit(self, polled: dict[TopicPartition, list[Record]]) -> None:
        oldest = min((records[0].timestamp_ms for records in polled.values() if records), default=None)
        record_age_ms = 0.0 if oldest is None else self.wall() * 1000.0 - oldest
        late = self.policy.opened_ago_ms(record_age_ms)
        self._behind = record_age_ms > self.policy.seen_late_ms
        if self.pending.opened_at is None:
            self.pending.opened_at = self.clock() - late / 1000.0
        self.meter.arrived(sum(len(records) for records in polled.values()), self.clock())
        for tp, records in polled.items():
            if not records:
                continue
            pb = self.pending.partitions.get(tp)
            if self.guard.needs_lookup(tp, records[0].offset):
                self._recovering.add(tp)
                if pb is not None:  # the stream went back under us: start this partition over
                    self.pending.remove([tp])
                    pb = None
                first = records[0].offset
                tokens, intended = await self._hold(
                    lambda tp=tp, first=first: asyncio.to_thread(self._lookup, tp, first)
                )
                self.guard.remember(tp, tokens, intended)
                if tokens or intended:
                    log.info("partition %s/%d: %d stored block(s) and %d started but not stored after offset %d "
                             "will be re-inserted as they were", tp.topic, tp.partition, len(tokens),
                             len(intended - tokens), first)
            if pb is None:
                pb = self.pending.partitions[tp] = PartitionBatch(tp, stored=self.guard.blocks(tp))
            pb.records.extend(records)
            self.guard.seen(tp, records[-1].offset)

    def _lookup(self, tp: TopicPartition, first: int) -> tuple[set[str], set[str]]:
        """The groups of this partition from ``first`` on in OLAP, and those whose insert was started."""
        stored = self.sink.stored_blocks(tp.topic, tp.partition, first)
        return stored, touching(self.sink.intended_blocks(), tp, first)

    async def flush(self) -> None:
        """Insert the ready partitions' records (one insert across partitions, plus one per stored group
        replayed), then commit. Decoding insert k+1 (a thread) overlaps inserting insert k (chDB releases
        the GIL); the stream is not touched until all are stored."""
        owned = self._assignment()
        planned = plan(list(self.pending.partitions.values()), self.guard, owned, SPLIT_ROWS,
                       full=self.pending.size >= self.policy.max_rows)
        for tp, last in planned.trims.items():  # a crash's replay filled the batch: give back what is past
            pb = self.pending.partitions.get(tp)  # a started group's blocks, read again after it
            if pb is not None:
                pb.records = [r for r in pb.records if r.offset <= last]
            self.consumer.seek(tp, last + 1)
            self.guard.seen(tp, last)
        ready = planned.ready
        if not ready:
            return
        if planned.settled:
            log.info("stored group(s) %s cannot be re-inserted whole here: committed without an insert "
                     "(%d records), their rollups checked", planned.settled, len(planned.skipped))
        started, cpu_started = time.perf_counter(), time.process_time()
        work = planned.inserts
        recovering = {pb.tp for pb in ready} & self._recovering
        # fresh or started-but-not-stored groups of a recovering partition: the events table may have
        # dropped one for a deduplication record a crash left (checked after the inserts, olap.repair)
        check_events: list[tuple[str, StagedBatch]] = []
        minutes: set[tuple[str, datetime]] = set()
        newest: datetime | None = None
        rows = replayed = dead = 0
        decoding = inserting = 0.0
        previous: asyncio.Task | None = None
        if planned.skipped:  # settled: stored already, so only their poison goes out again, as a replay's would
            staged = await asyncio.to_thread(_stage, planned.skipped)
            dead += await self._dead_letter(staged)
            replayed += len(staged.batch)
            minutes |= staged.minutes
        try:
            for group, records, again in work:
                t = time.perf_counter()
                staged = await asyncio.to_thread(_stage, records, group.blocks)
                decoding += time.perf_counter() - t
                dead += await self._dead_letter(staged)
                minutes |= staged.minutes
                if staged.newest is not None and (newest is None or staged.newest > newest):
                    newest = staged.newest
                if again:
                    replayed += len(staged.batch)
                else:
                    rows += len(staged.batch)
                if previous is not None:
                    await previous
                if len(staged.batch) and group.partitions() & recovering and (
                        not again or self.guard.intended(group)):
                    check_events.append((group.token, staged.batch))
                if len(staged.batch):
                    previous = asyncio.create_task(self._hold(lambda batch=staged.batch, token=group.token:
                                                              asyncio.to_thread(self.sink.insert, batch, token)))
            t = time.perf_counter()
            if previous is not None:
                await previous
            inserting = time.perf_counter() - t
        finally:
            if previous is not None and not previous.done():
                previous.cancel()
        replayed_tokens = [group.token for group, _, again in work if again] + planned.settled
        for token, batch in check_events:
            if await self._hold(lambda batch=batch, token=token: asyncio.to_thread(self.sink.restore_if_dropped,
                                                                                     batch, token)):
                if token not in replayed_tokens:
                    replayed_tokens.append(token)  # its rollups are checked like a replayed block's
        if replayed_tokens or self._recheck:  # after a crash: a rollup may have dropped a replayed block
            # (tracker.olap.repair).  A check can be inconclusive while other partitions' stored blocks
            # are still to be replayed, so each replayed block is checked again for a few flushes.
            for token in replayed_tokens:
                self._recheck[token] = RECHECKS
            tokens, pending = sorted(self._recheck), self.guard.outstanding()
            await self._hold(lambda: asyncio.to_thread(self.sink.repair_replayed, tokens, pending))
            self._recheck = {t: n - 1 for t, n in self._recheck.items() if n > 1}
        commits = {pb.tp: pb.last_offset + 1 for pb in ready}
        owned = self._assignment()
        if owned is not None:  # a partition handed over meanwhile: its new owner re-reads (and re-inserts) it
            commits = {tp: offset for tp, offset in commits.items() if tp in owned}
        stored = time.perf_counter()
        await self._hold(lambda: self.consumer.commit(commits), olap=False)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("flushed %d rows (%d replayed, %d dead) in %d block(s) in %.1f ms: decode %.1f ms, "
                      "last insert wait %.1f ms, commit %.1f ms, batch age %.0f ms", rows, replayed, dead, len(work),
                      (stored - started) * 1e3, decoding * 1e3, inserting * 1e3,
                      (time.perf_counter() - stored) * 1e3, self._age_ms())
        for tp, next_offset in commits.items():
            self.guard.passed(tp, next_offset)
            self._recovering.discard(tp)
        self.pending.remove(pb.tp for pb in ready)
        self.pending.opened_at = self.clock() if self.pending.partitions else None
        if work:
            self.meter.flushed((time.process_time() - cpu_started) * 1e3, (time.perf_counter() - started) * 1e3)
        touched = frozenset((site, _utc_minute(t)) for site, t in minutes)
        self.progress.committed(BatchCommitted(rows, dead, replayed, newest, touched))

    # -- helpers ---------------------------------------------------------
    async def _dead_letter(self, staged: Staged) -> int:
        if not staged.poison:
            return 0
        letters = [(p.record.key, p.dead_letter()) for p in staged.poison]
        await self._hold(lambda: self.dead_letters.send_batch(self.dead_letter_topic, letters), olap=False)
        return len(staged.poison)

    def _assignment(self) -> set[TopicPartition] | None:
        owned = getattr(self.consumer, "assignment", None)
        if callable(owned):
            owned = owned()
        return set(owned) if owned is not None else None

    def _revoked(self, partitions: set[TopicPartition]) -> None:
        log.info("partitions revoked: %s", sorted((tp.topic, tp.partition) for tp in partitions))
        self.pending.remove(partitions)
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
