"""Group commit: finished records pile up in memory and one background task writes
them to the stream every few milliseconds (or every N records), spilling to disk while
the stream is down and replaying the spill, in order, once it is back.

Every request waits for its group (``store``): it is answered only once its records are
on the stream or the spill.  The group is whatever arrived while the previous one was
being written, so requests still share one append each.  The group commit knows nothing
of hits, headers or enrichment: it buffers bytes and delivers them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from typing import Callable

from tracker.collector.seen import SeenIds
from tracker.collector.spill import Batch, Spill
from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.stream.port import Producer, StreamUnavailable

log = logging.getLogger(__name__)
Records = list[tuple[bytes, bytes]]


@dataclass
class Counters:
    accepted: int = 0
    rejected: int = 0
    dropped_dnt: int = 0
    written: int = 0
    spilled: int = 0
    replayed: int = 0
    stream_errors: int = 0
    lost: int = 0  # neither stream nor spill could take them: the one alarm that matters
    duplicates: int = 0  # retries of events already stored (same client event id): acknowledged, not stored
    reasons: dict[str, int] = field(default_factory=dict)

    def reject(self, reason: str) -> None:
        self.rejected += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


class NotStored(Exception):
    """A batch could be written neither to the stream nor to the spill."""


def _call(callbacks: list[Callable[[BaseException | None], None]], error: BaseException | None) -> None:
    """Tell each ``store_then`` caller of a group; one that fails is logged, the others still hear."""
    for done in callbacks:
        try:
            done(error)
        except Exception:
            log.exception("a group commit callback failed")


class GroupCommit:
    def __init__(self, producer: Producer, spill: Spill, counters: Counters,
                 interval_ms: int = 5, max_events: int = 5000, timeout_ms: int = 2000,
                 replay_interval_ms: int = 500, seen: SeenIds | None = None) -> None:
        self.producer, self.spill, self.counters = producer, spill, counters
        self.seen = seen
        self.interval = interval_ms / 1000
        self.max_events = max_events
        self.timeout = timeout_ms / 1000
        self.replay_interval = replay_interval_ms / 1000
        self.events: Records = []
        self.dead: Records = []
        self.waiters: list[asyncio.Future] = []  # one per request waiting for its group
        self.callbacks: list[Callable[[BaseException | None], None]] = []  # the same, as callbacks (``store_then``)
        self.claimed: list[str] = []  # client event ids of this group (see SeenIds)
        self.stream_up = False
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._running = False
        self._failures = 0  # consecutive failed replays: drives the backoff

    # -- intake (called from request handlers; no awaiting, no I/O) ----------------------
    def store(self, events: Records, dead: Records = (), claimed: list[str] = ()) -> asyncio.Future:
        """Buffer finished records (``claimed``: the client event ids they carry); the future
        is done once they are on the stream or the spill, and raises ``NotStored`` if neither
        took them."""
        self.events += events
        if dead:
            self.dead += dead
        if claimed:
            self.claimed += claimed
        waiter = asyncio.get_running_loop().create_future()
        waiters = self.waiters
        waiters.append(waiter)
        if len(waiters) == 1 and not self.callbacks:  # the first of a group wakes the flush task; others join it
            self._wake.set()
        return waiter

    def store_then(self, done: Callable[[BaseException | None], None], events: Records,
                   dead: Records = ()) -> None:
        """``store`` for a caller that is not a coroutine (the pixel protocol): ``done(None)`` is
        called once the records are on the stream or the spill, ``done(NotStored(…))`` if neither
        took them; no future is made and none is scheduled."""
        self.events += events
        if dead:
            self.dead += dead
        callbacks = self.callbacks
        callbacks.append(done)
        if len(callbacks) == 1 and not self.waiters:
            self._wake.set()

    @property
    def healthy(self) -> bool:
        return self.stream_up and not self.spill.has_backlog()

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        self._running = True
        await self._connect()
        self._tasks = [asyncio.create_task(self._flush_loop(), name="group-commit"),
                       asyncio.create_task(self._replay_loop(), name="spill-replay")]

    async def stop(self) -> None:
        self._running = False
        self._wake.set()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, self.timeout * 3)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        try:
            await self.flush()  # whatever arrived last goes to the stream or the spill
        except Exception:
            log.exception("final flush failed")
        self.spill.close()
        if self.seen is not None:
            self.seen.close()
        try:
            await asyncio.wait_for(self.producer.stop(), self.timeout)
        except (StreamUnavailable, TimeoutError):
            pass

    async def _connect(self) -> bool:
        try:
            await asyncio.wait_for(self.producer.start(), self.timeout)
        except (StreamUnavailable, TimeoutError, OSError) as exc:
            (log.debug if self._failures else log.warning)("stream unavailable, spilling: %s", exc)
            self.stream_up = False
            return False
        self.stream_up = True
        return True

    # -- the loops -----------------------------------------------------------------------
    async def _flush_loop(self) -> None:
        while self._running:
            await self._wake.wait()
            self._wake.clear()
            if not self._running:
                break
            if len(self.events) < self.max_events and not self.waiters and not self.callbacks:
                await asyncio.sleep(self.interval)  # let a group gather
            else:  # requests wait: one turn of the loop lets those already read join this group
                await asyncio.sleep(0)
            try:
                await self.flush()
            except Exception:  # never let the loop die: hits would pile up forever
                log.exception("flush failed")

    async def flush(self) -> None:
        """Deliver everything buffered as one group, then answer its waiters."""
        events, dead, claimed, waiters, callbacks = self.events, self.dead, self.claimed, self.waiters, self.callbacks
        self.events, self.dead, self.claimed, self.waiters, self.callbacks = [], [], [], [], []
        batches = [b for b in ((EVENTS_TOPIC, events), (DEAD_LETTER_TOPIC, dead)) if b[1]]
        try:
            if batches:
                await self._deliver(batches)
        except BaseException as exc:  # neither the stream nor the spill took them (disk full…)
            self.counters.lost += sum(len(records) for _, records in batches)
            if self.seen is not None:
                self.seen.release(claimed)
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(NotStored(str(exc)))
            _call(callbacks, NotStored(str(exc)))
            raise
        if self.seen is not None and claimed:
            try:
                self.seen.remember(claimed)
            except Exception:  # the events are stored: a failed note only lets a retry through
                log.exception("could not record client event ids")
                self.seen.release(claimed)
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        _call(callbacks, None)

    async def _deliver(self, batches: list[Batch]) -> None:
        if self.stream_up and not self.spill.has_backlog():
            for i, (topic, records) in enumerate(batches):
                try:
                    async with asyncio.timeout(self.timeout):  # no extra task per send, unlike wait_for
                        await self.producer.send_batch(topic, records)
                except (StreamUnavailable, TimeoutError, OSError) as exc:
                    log.warning("stream down, spilling: %s", exc)
                    self.counters.stream_errors += 1
                    self.stream_up = False
                    batches = batches[i:]
                    break
                self.counters.written += len(records)
            else:
                return
        self.spill.append(batches)
        self.counters.spilled += sum(len(r) for _, r in batches)

    def _backoff(self) -> float:
        """Exponential backoff with full jitter while the stream stays down, capped at 10 s."""
        if not self._failures:
            return self.replay_interval
        return random.uniform(self.replay_interval, min(10.0, self.replay_interval * 2 ** self._failures))

    async def _replay_loop(self) -> None:
        while self._running:
            await asyncio.sleep(self._backoff())
            if not self.spill.has_backlog():
                continue
            try:
                await self.replay()
            except Exception:
                log.exception("replay failed")
            self._failures = 0 if self.stream_up else self._failures + 1

    async def replay(self) -> None:
        """Send spilled batches oldest first; a segment is deleted once all of it is sent."""
        if not self.stream_up and not await self._connect():
            return
        self.spill.seal()
        for segment in self.spill.sealed_segments():
            for topic, records in self.spill.read(segment):
                try:
                    await asyncio.wait_for(self.producer.send_batch(topic, records), self.timeout)
                except (StreamUnavailable, TimeoutError, OSError) as exc:
                    log.debug("replay paused, stream still down: %s", exc)
                    self.stream_up = False
                    return  # this segment is re-sent whole later: at least once
                self.counters.replayed += len(records)
            self.spill.remove(segment)
        self.stream_up = True
        log.info("spill replayed; stream is back")
